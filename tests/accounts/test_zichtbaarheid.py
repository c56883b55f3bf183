"""The one visibility rule (accounts.permissions): an aanbieder sees only their own
organisation's stories and transcripts, the gemeente's roles see all, a visitor none.

Its two forms (an object check and a SQL condition) must agree, and no module may write the
rule again on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from verhalenbank.accounts.models import Rol
from verhalenbank.accounts.permissions import mag_organisatie_zien, zichtbaar_voor
from verhalenbank.extensions import db
from verhalenbank.verhalen.models import Verhaal
from verhalenbank.verhalen.operations import zichtbare_verhalen

PACKAGE = Path(__file__).resolve().parents[2] / "verhalenbank"


def _verhalen(*organisaties):
    from verhalenbank.accounts.operations import get_or_create_organisatie

    ids = {}
    for naam in organisaties:
        org = get_or_create_organisatie(naam) if naam else None
        verhaal = Verhaal(tekst=f"Een verhaal van {naam or 'een inwoner'}.", organisatie_id=org.id if org else None)
        db.session.add(verhaal)
        db.session.flush()
        ids[naam] = verhaal.id
    db.session.commit()
    return ids


def _zonder_organisatie(gebruiker):
    gebruiker.organisatie_id = None
    db.session.commit()
    return gebruiker


@pytest.mark.parametrize("wie", ["bezoeker", "aanbieder-zonder-organisatie", *[r.value for r in Rol]])
def test_the_query_and_the_object_check_agree_for_every_role(app, make_user, wie):
    ids = _verhalen("De Schakel", "Buurtwerk Noord", None)
    if wie == "bezoeker":
        gebruiker = None
    elif wie == "aanbieder-zonder-organisatie":
        gebruiker = _zonder_organisatie(make_user("aanbieder", organisatie="De Schakel"))
    else:
        gebruiker = make_user(wie, organisatie="De Schakel" if wie == "aanbieder" else None)

    via_query = set(db.session.scalars(select(Verhaal.id).where(zichtbaar_voor(gebruiker, Verhaal.organisatie_id))))
    via_object = {v.id for v in db.session.scalars(select(Verhaal)) if mag_organisatie_zien(gebruiker, v.organisatie_id)}
    assert via_query == via_object
    assert set(db.session.scalars(zichtbare_verhalen(gebruiker).with_only_columns(Verhaal.id))) == via_query

    verwacht = {
        "bezoeker": set(),
        "aanbieder-zonder-organisatie": set(),
        "aanbieder": {ids["De Schakel"]},
    }.get(wie, set(ids.values()))
    assert via_query == verwacht


def test_an_aanbieder_without_an_organisation_sees_no_residents_stories(app, client, make_user):
    # Before one rule, the list compared organisatie_id with None, which SQL reads as IS NULL:
    # every resident's story (they have no organisation) was shown.
    ids = _verhalen(None, "Buurtwerk Noord")
    gebruiker = _zonder_organisatie(make_user("aanbieder", organisatie="De Schakel"))
    assert client.post("/inloggen", data={"email": gebruiker.email, "wachtwoord": "geheim-wachtwoord-123"}).status_code == 302
    lijst = client.get("/verhalen/")
    assert lijst.status_code == 200
    assert f"/verhalen/{ids[None]}" not in lijst.get_data(as_text=True)
    assert client.get(f"/verhalen/{ids[None]}").status_code == 404


# `x.organisatie_id == gebruiker.organisatie_id` (or !=) on a user object: the rule written again.
EIGEN_REGEL = re.compile(r"organisatie_id\s*[!=]=\s*\w*(gebruiker|current_user|door|user)\w*\.organisatie_id"
                         r"|(gebruiker|current_user|door|user)\w*\.organisatie_id\s*[!=]=\s*\w+\.organisatie_id")


def test_the_pattern_finds_a_rule_written_again():
    assert EIGEN_REGEL.search("query.where(Verhaal.organisatie_id == current_user.organisatie_id)")
    assert EIGEN_REGEL.search("if verhaal.organisatie_id != gebruiker.organisatie_id:")
    assert not EIGEN_REGEL.search("query.where(Verhaal.organisatie_id == vernauwing.organisatie.id)")


def test_no_module_writes_the_visibility_rule_again():
    gevonden = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "permissions.py" or "migrations" in path.parts:
            continue
        for nummer, regel in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if EIGEN_REGEL.search(regel):
                gevonden.append(f"{path.relative_to(PACKAGE.parent)}:{nummer}: {regel.strip()}")
    assert gevonden == []
