"""A waarderingssessie per domain of change (Most Significant Change), on SQLite and PostgreSQL:
the facilitator names the domains, the app suggests stories, a panel chooses per domain, and the
choices reach the pack, the quality page and the exports."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from tests.pakketten.test_pakket_db import _pdf_tekst, voorbeeld_rondes  # noqa: F401  (fixture)
from verhalenbank.cli import main
from verhalenbank.extensions import db

RONDE = "bollenstreek-2026"
CONTACT = "Meer contact met mensen om je heen"
ANDERS = "Andere veranderingen"


def _ronde():
    from verhalenbank.rondes.models import Ronde

    return db.session.scalar(select(Ronde).where(Ronde.slug == RONDE))


def _aangevinkt(pagina: str) -> dict[int, list[int]]:
    gekozen: dict[int, list[int]] = {}
    for onderdeel, verhaal in re.findall(r'name="verhaal-(\d+)" value="(\d+)" checked', pagina):
        gekozen.setdefault(int(onderdeel), []).append(int(verhaal))
    return gekozen


def _kaart(client, lijst: str, verhaal_id: int) -> str:
    """The story's card on a paginated list."""
    for pagina in range(1, 20):
        html = client.get(f"{lijst}{'&' if '?' in lijst else '?'}pagina={pagina}").get_data(as_text=True)
        for kaart in html.split("<article")[1:]:
            if f'href="/verhalen/{verhaal_id}"' in kaart:
                return kaart.split("</article>")[0]
    raise AssertionError(f"story {verhaal_id} not on {lijst}")


def _basis(**extra) -> MultiDict:
    form = MultiDict({"ronde": RONDE, "indeling": "domein", "titel": "Panel per domein", "panel": "raadslid"})
    for naam, waarde in extra.items():
        form.add(naam, waarde)
    return form


def test_a_session_per_domain_of_change_from_preparation_to_pack(app, client, login, runner, voorbeeld_rondes,
                                                                 tmp_path):
    from verhalenbank.waarderen import operations
    from verhalenbank.waarderen.models import Waarderingssessie

    ronde = _ronde()
    subdoelen = operations.subdoelen_van(ronde)
    login("facilitator")

    # The list page offers both ways; the domain page starts with MSC's usual domains.
    assert 'value="domein"' in client.get("/waarderen/").get_data(as_text=True)
    pagina = client.get(f"/waarderen/nieuw?ronde={RONDE}&indeling=domein").get_data(as_text=True)
    for naam in operations.STANDAARD_DOMEINEN:
        assert f'value="{naam}"' in pagina

    # The facilitator names two domains; the first covers two subdoelen. The app suggests again.
    form = _basis(**{"domein-naam-0": CONTACT, "domein-naam-1": ANDERS, "domein-naam-2": " ", "actie": "voorstellen"})
    form.add("domein-doel-0", str(subdoelen[0].id))
    form.add("domein-doel-0", str(subdoelen[1].id))
    pagina = client.post("/waarderen/nieuw", data=form).get_data(as_text=True)
    assert f"<legend>{CONTACT}</legend>" in pagina and f"<legend>{ANDERS}</legend>" in pagina
    voorstel = _aangevinkt(pagina)
    per_subdoel = operations.stel_selectie_voor(ronde, per_subdoel=operations.MAX_VERHALEN_PER_SUBDOEL)
    bij_contact = set(per_subdoel.get(subdoelen[0].id, [])) | set(per_subdoel.get(subdoelen[1].id, []))
    assert voorstel[0] and set(voorstel[0]) <= bij_contact, "a domain's stories come from its subdoelen"
    assert voorstel[1] and not set(voorstel[0]) & set(voorstel[1]), "a story is suggested for one domain only"

    # Saved as suggested (the facilitator keeps two stories for the first domain).
    form = _basis(**{"domein-naam-0": CONTACT, "domein-naam-1": ANDERS, "actie": "klaarzetten"})
    form.add("domein-doel-0", str(subdoelen[0].id))
    form.add("domein-doel-0", str(subdoelen[1].id))
    for plek, ids in voorstel.items():
        for verhaal_id in ids[:2]:
            form.add(f"verhaal-{plek}", str(verhaal_id))
    response = client.post("/waarderen/nieuw", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    sessie = db.session.scalars(select(Waarderingssessie)).one()
    assert sessie.indeling == "domein"
    assert [(d.naam, d.subdoel_ids) for d in sessie.domeinen] == [
        (CONTACT, [subdoelen[0].id, subdoelen[1].id]), (ANDERS, [])]
    assert all(item.subdoel_id is None and item.domein_id is not None for item in sessie.verhalen)
    assert client.post(f"/waarderen/{sessie.id}/open").status_code == 302

    # In the room: the panel reads the domains, not the doelenboom's policy titles.
    contact, anders = operations.panel_inhoud(sessie)
    assert (contact.titel, contact.code, anders.titel) == (CONTACT, "", ANDERS)
    client.post(f"/w/{sessie.code}/meedoen", data={"naam": "Ans"})
    telefoon = client.get(f"/w/{sessie.code}").get_data(as_text=True)
    assert CONTACT in telefoon and subdoelen[0].titel not in telefoon
    keuze = {"subdoel": contact.id, "verhaal": contact.verhalen[0].id, "reden": "Hier kent iemand zijn buren weer."}
    assert client.post(f"/w/{sessie.code}/keuze", data=keuze).status_code in (302, 303)
    # A story of the other domain is not a choice for this one.
    fout = client.post(f"/w/{sessie.code}/keuze", data={**keuze, "verhaal": anders.verhalen[0].id},
                       headers={"Accept": "application/json"})
    assert fout.status_code == 422
    for n, verhaal in enumerate([contact.verhalen[0], contact.verhalen[1]]):
        deelnemer, _ = operations.join_sessie(sessie, f"deelnemer {n}")
        operations.kies(deelnemer, contact.id, verhaal.id, f"Reden {n}: dit raakt mij.")
    db.session.commit()
    (uitslag, _) = operations.stand(sessie)
    assert (uitslag.deelnemers, uitslag.stemmen) == (3, {contact.verhalen[0].id: 2, contact.verhalen[1].id: 1})
    leiding = " ".join(client.get(f"/waarderen/{sessie.id}").get_data(as_text=True).split())
    assert "3 deelnemers kozen bij dit domein." in leiding

    response = client.post(f"/waarderen/{sessie.id}/groep", data={
        "subdoel": contact.id, "verhaal": contact.verhalen[0].id, "reden": "Contact met de buren is wat veranderde.",
        "onenigheid": ""})
    assert response.status_code == 302
    assert client.post(f"/waarderen/{sessie.id}/sluiten").status_code == 302

    # The pack: a section per domain, with the group's reason.
    uit = tmp_path / "pakket.pdf"
    result = runner.invoke(main, ["pakket", RONDE, "--out", str(uit)])
    assert result.exit_code == 0, result.output
    tekst = " ".join(_pdf_tekst(uit.read_bytes()).split())
    assert "Wat de groep koos per soort verandering" in tekst
    assert CONTACT in tekst and "Contact met de buren is wat veranderde." in tekst
    assert "2 van de 3 deelnemers kozen dit verhaal" in tekst

    # Quality page and tellen: the choice counts under each subdoel the domain covers, and no other.
    gekozen = {blok.subdoel.id: blok for blok in operations.gekozen_per_subdoel(subdoelen)}
    assert set(gekozen) == {subdoelen[0].id, subdoelen[1].id}
    assert gekozen[subdoelen[0].id].verhalen[0].sessie.endswith(f", {CONTACT}")

    # Every story list marks the story the panel chose, and only that one.
    gekozen_id, ander_id = contact.verhalen[0].id, contact.verhalen[1].id
    from verhalenbank.verhalen.operations import door_panel_gekozen

    assert door_panel_gekozen([gekozen_id, ander_id]) == {gekozen_id: 1}
    login("beleidsadviseur")
    for lijst in (f"/verhalen/?ronde={RONDE}", f"/rondes/{RONDE}"):
        kaart = _kaart(client, lijst, gekozen_id)
        assert "Gekozen door een panel" in kaart, lijst
        assert "Gekozen door een panel" not in _kaart(client, lijst, ander_id), lijst
    login("facilitator")

    # The export names the domain in the memo.
    csv = client.get(f"/waarderen/{sessie.id}/gekozen.csv").get_data(as_text=True)
    assert f"({CONTACT}): Contact met de buren is wat veranderde." in csv


def test_a_domain_session_refuses_unknown_parts_and_rows_with_no_part(app, voorbeeld_rondes):
    from verhalenbank.core.errors import Ongeldig
    from verhalenbank.waarderen import operations
    from verhalenbank.waarderen.models import SessieVerhaal

    ronde = _ronde()
    kiesbaar = operations.kiesbare_verhalen(ronde)
    domeinen = [operations.DomeinInvoer("Meedoen"), operations.DomeinInvoer(" meedoen ")]
    with pytest.raises(Ongeldig, match="twee keer"):
        operations.create_sessie(ronde, "x", {0: [kiesbaar[0].id]}, domeinen=domeinen)
    db.session.rollback()
    with pytest.raises(Ongeldig, match="hoort niet bij de sessie"):
        operations.create_sessie(ronde, "x", {3: [kiesbaar[0].id]}, domeinen=[operations.DomeinInvoer("Meedoen")])
    db.session.rollback()
    with pytest.raises(Ongeldig, match="hoort niet bij de ronde"):
        operations.create_sessie(ronde, "x", {0: [kiesbaar[0].id]}, domeinen=[operations.DomeinInvoer("M", [10**9])])
    db.session.rollback()

    sessie = operations.create_sessie(ronde, "Panel", {0: [kiesbaar[0].id]}, domeinen=[operations.DomeinInvoer("M")])
    db.session.commit()
    # The database itself refuses a selection row that belongs to no part, or to both.
    db.session.add(SessieVerhaal(sessie_id=sessie.id, verhaal_id=kiesbaar[1].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    subdoel = operations.subdoelen_van(ronde)[0]
    db.session.add(SessieVerhaal(sessie_id=sessie.id, verhaal_id=kiesbaar[1].id, subdoel_id=subdoel.id,
                                 domein_id=sessie.domeinen[0].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
