"""Retention is an erasure setting: only roles that may erase change it, with a confirmation
that says how many stories will go; the change and `opschonen` name who set it (issue 16 item 2)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask import g
from sqlalchemy import select, update

from verhalenbank.accounts.models import AuditLog
from verhalenbank.extensions import db
from verhalenbank.rondes import operations as rondes_ops
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen import operations as verhalen_ops
from verhalenbank.verhalen.models import Verhaal

SLUG = "termijn-ronde"


@pytest.fixture
def ronde(app, voorbeeld_bomen):
    gemaakt = rondes_ops.create_ronde(
        rondes_ops.RondeGegevens(slug=SLUG, titel="Termijnronde", doelenboom_codes=["lelystad-sociaal-krachtige-wijken"],
                                 bewaartermijn_maanden=24)
    )
    for tekst in ("Een verhaal van twee maanden oud.", "Nog een verhaal van twee maanden oud."):
        verhaal = verhalen_ops.store_verhaal(verhalen_ops.VerhaalInvoer(tekst=tekst, toestemming=True), ronde=gemaakt)
        db.session.flush()
        db.session.execute(
            update(Verhaal).where(Verhaal.id == verhaal.id).values(created_at=datetime.now(timezone.utc) - timedelta(days=62))
        )
    verhalen_ops.store_verhaal(verhalen_ops.VerhaalInvoer(tekst="Een verhaal van vandaag.", toestemming=True), ronde=gemaakt)
    db.session.commit()
    return gemaakt


def _formulier(**wijzigingen) -> dict:
    data = {"titel": "Termijnronde", "vraag": "Vertel eens", "doelenbomen": ["lelystad-sociaal-krachtige-wijken"],
            "is_open": "y", "bewaartermijn_maanden": "24"}
    data.update(wijzigingen)
    return data


def _post(client, data):
    g.pop("_login_user", None)
    return client.post(f"/rondes/{SLUG}/bewerken", data=data)


def _termijn() -> int | None:
    db.session.expire_all()
    return db.session.scalar(select(Ronde.bewaartermijn_maanden).where(Ronde.slug == SLUG))


def test_a_facilitator_cannot_change_the_bewaartermijn(client, login, ronde):
    login("facilitator")
    response = _post(client, _formulier(bewaartermijn_maanden="1"))
    assert response.status_code == 400
    assert "Alleen wie verhalen mag wissen" in response.get_data(as_text=True)
    assert _termijn() == 24
    # Everything else in the ronde stays theirs to edit.
    assert _post(client, _formulier(titel="Nieuwe titel")).status_code == 302
    assert db.session.scalar(select(Ronde.titel).where(Ronde.slug == SLUG)) == "Nieuwe titel"


def test_a_facilitator_cannot_create_a_ronde_with_a_bewaartermijn(client, login, voorbeeld_bomen):
    login("facilitator")
    data = _formulier(slug="kort-bewaard", bewaartermijn_maanden="1")
    response = client.post("/rondes/nieuw", data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(Ronde).where(Ronde.slug == "kort-bewaard")) is None


def test_beheerder_confirms_how_many_stories_go_and_the_change_is_audited(client, login, ronde):
    beheerder = login("beheerder")
    response = _post(client, _formulier(bewaartermijn_maanden="1"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "worden 2 verhalen van deze ronde gewist" in html
    assert 'name="bevestig_wissen" type="hidden" value="2"' in html
    assert _termijn() == 24
    assert db.session.scalar(select(db.func.count(AuditLog.id)).where(AuditLog.gebruiker_id == beheerder.id)) == 0

    assert _post(client, _formulier(bewaartermijn_maanden="1", bevestig_wissen="2")).status_code == 302
    assert _termijn() == 1
    regel = db.session.scalar(
        select(AuditLog).where(AuditLog.actie == "bewaartermijn_gewijzigd", AuditLog.gebruiker_id == beheerder.id)
    )
    assert regel.gebruiker_email == beheerder.email
    assert regel.object_type == "ronde" and regel.object_id == SLUG
    assert regel.details == {"voor": 24, "na": 1, "verhalen_te_wissen": 2}


def test_a_stale_confirmation_is_asked_again(client, login, ronde):
    login("beheerder")
    response = _post(client, _formulier(bewaartermijn_maanden="1", bevestig_wissen="1"))
    assert response.status_code == 409
    assert _termijn() == 24


def _wachttijd_voorbij() -> None:
    """Move the ronde's bewaartermijn changes back past the wachttijd, as if two weeks went by."""
    for regel in db.session.scalars(
        select(AuditLog).where(AuditLog.actie == "bewaartermijn_gewijzigd", AuditLog.object_id == SLUG)
    ):
        regel.tijdstip = regel.tijdstip - timedelta(days=rondes_ops.WACHTTIJD_DAGEN, hours=1)
    db.session.commit()


def _aantal_verhalen() -> int:
    db.session.expire_all()
    return db.session.scalar(select(db.func.count(Verhaal.id)))


def test_opschonen_dry_run_shows_what_goes_and_names_the_setting_and_person(client, login, runner, ronde):
    from verhalenbank.cli import main

    beheerder = login("beheerder")
    assert _post(client, _formulier(bewaartermijn_maanden="1", bevestig_wissen="2")).status_code == 302
    _wachttijd_voorbij()
    oud = sorted(db.session.scalars(select(Verhaal.id).where(Verhaal.created_at < datetime.now(timezone.utc) - timedelta(days=40))))
    assert len(oud) == 2

    result = runner.invoke(main, ["opschonen", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"{SLUG}: 2 stories would be deleted (bewaartermijn 1 month, set by {beheerder.email} on " in result.output
    for verhaal_id in oud:
        assert f"story {verhaal_id}, stored " in result.output
    assert _aantal_verhalen() == 3

    result = runner.invoke(main, ["opschonen"])
    assert result.exit_code == 0, result.output
    assert _aantal_verhalen() == 1
    regels = db.session.scalars(select(AuditLog).where(AuditLog.actie == "verhaal_gewist").order_by(AuditLog.object_id)).all()
    assert [r.object_id for r in regels] == [str(i) for i in oud]
    for regel in regels:
        assert regel.details["ingesteld_door"] == beheerder.email
        assert regel.details["bewaartermijn_maanden"] == 1
        assert regel.details["ronde"] == SLUG


def test_a_shortened_term_erases_nothing_during_the_wachttijd_and_can_be_undone(client, login, runner, ronde):
    """Confirmed or not, a shorter term cannot erase at once: for WACHTTIJD_DAGEN days the earlier
    term applies, `opschonen` says who shortened it and until when, and undoing it keeps every story."""
    from verhalenbank.cli import main

    beheerder = login("beheerder")
    response = _post(client, _formulier(bewaartermijn_maanden="1"))
    assert f"wachttijd (vanaf {(datetime.now(timezone.utc) + timedelta(days=rondes_ops.WACHTTIJD_DAGEN)):%d-%m-%Y})" in (
        response.get_data(as_text=True)
    )
    assert _post(client, _formulier(bewaartermijn_maanden="1", bevestig_wissen="2")).status_code == 302

    for opdracht in (["opschonen", "--dry-run"], ["opschonen"]):
        result = runner.invoke(main, opdracht)
        assert result.exit_code == 0, result.output
        tot = datetime.now(timezone.utc) + timedelta(days=rondes_ops.WACHTTIJD_DAGEN)
        assert (
            f"{SLUG}: 2 stories wait until {tot:%Y-%m-%d} (bewaartermijn 1 month, shortened by {beheerder.email} on "
        ) in result.output
        assert "the earlier 24 months apply; undo the change to keep them)" in result.output
        assert "Total: 0 stories" in result.output
        assert _aantal_verhalen() == 3

    # Undone within the wachttijd: nothing waits, and after it nothing goes either.
    assert _post(client, _formulier(bewaartermijn_maanden="24")).status_code == 302
    result = runner.invoke(main, ["opschonen"])
    assert "wait until" not in result.output
    _wachttijd_voorbij()
    result = runner.invoke(main, ["opschonen"])
    assert result.exit_code == 0 and "Total: 0 stories deleted." in result.output, result.output
    assert _aantal_verhalen() == 3


def test_the_wachttijd_keeps_the_longest_term_of_the_last_days(client, login, ronde):
    """Shortening step by step (24 → 12 → 1) gains nothing: the 24 months still apply; a first
    term on a ronde that had none erases nothing until the wachttijd is over."""
    login("beheerder")
    for maanden, aantal in (("12", None), ("1", "2")):
        data = _formulier(bewaartermijn_maanden=maanden)
        if aantal:
            data["bevestig_wissen"] = aantal
        assert _post(client, data).status_code == 302
    gemaakt = db.session.scalar(select(Ronde).where(Ronde.slug == SLUG))
    termijn = rondes_ops.geldende_termijn(gemaakt)
    assert termijn.maanden == 24
    assert rondes_ops.te_wissen_verhalen(gemaakt)[0] == []
    later = datetime.now(timezone.utc) + timedelta(days=rondes_ops.WACHTTIJD_DAGEN, hours=1)
    assert rondes_ops.geldende_termijn(gemaakt, nu=later).maanden == 1
    assert len(rondes_ops.te_wissen_verhalen(gemaakt, nu=later)[0]) == 2

    assert _post(client, _formulier(bewaartermijn_maanden="")).status_code == 302  # no term at all
    assert _post(client, _formulier(bewaartermijn_maanden="1", bevestig_wissen="2")).status_code == 302
    db.session.expire_all()
    gemaakt = db.session.scalar(select(Ronde).where(Ronde.slug == SLUG))
    assert rondes_ops.geldende_termijn(gemaakt).maanden is None
    assert rondes_ops.te_wissen_verhalen(gemaakt)[0] == []
    assert len(rondes_ops.te_wissen_verhalen(gemaakt)[1]) == 2
