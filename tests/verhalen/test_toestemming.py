"""A beheerder changes a story's consent or quote consent when the teller asks; audited."""

from __future__ import annotations

from sqlalchemy import select

from verhalenbank.accounts.models import AuditLog
from verhalenbank.extensions import db
from verhalenbank.verhalen.models import Verhaal
from verhalenbank.verhalen.operations import VerhaalInvoer, store_verhaal


def _verhaal() -> Verhaal:
    verhaal = store_verhaal(VerhaalInvoer(tekst="Mijn buurvrouw leest mijn post voor.", toestemming=True, citeren=True))
    db.session.commit()
    return verhaal


def test_beheerder_withdraws_quote_consent_and_the_audit_log_says_why(client, login):
    verhaal = _verhaal()
    login("beheerder")
    pagina = client.get(f"/verhalen/{verhaal.id}").get_data(as_text=True)
    assert "Toestemming of citeren aanpassen" in pagina
    response = client.post(f"/verhalen/{verhaal.id}/toestemming",
                           data={"toestemming": "y", "reden": "Verteller belde op 3 juni"})
    assert response.status_code == 302
    db.session.expire_all()
    verhaal = db.session.get(Verhaal, verhaal.id)
    assert verhaal.toestemming is True and verhaal.citeren is False
    log = db.session.scalars(select(AuditLog).where(AuditLog.actie == "toestemming_gewijzigd")).one()
    assert log.reden == "Verteller belde op 3 juni"
    assert log.details == {"was": {"toestemming": True, "citeren": True},
                           "wordt": {"toestemming": True, "citeren": False}}


def test_quoting_needs_consent_and_a_reason_is_required(client, login):
    verhaal = _verhaal()
    login("beheerder")
    client.post(f"/verhalen/{verhaal.id}/toestemming", data={"citeren": "y", "reden": ""})
    db.session.expire_all()
    assert db.session.get(Verhaal, verhaal.id).citeren is True  # nothing changed without a reason
    client.post(f"/verhalen/{verhaal.id}/toestemming", data={"citeren": "y", "reden": "Wil niet meer meedoen"})
    db.session.expire_all()
    verhaal = db.session.get(Verhaal, verhaal.id)
    assert (verhaal.toestemming, verhaal.citeren) == (False, False)


def test_other_roles_cannot_change_consent(client, login):
    verhaal = _verhaal()
    login("beleidsadviseur")
    assert "Toestemming of citeren aanpassen" not in client.get(f"/verhalen/{verhaal.id}").get_data(as_text=True)
    response = client.post(f"/verhalen/{verhaal.id}/toestemming", data={"reden": "zomaar"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Verhaal, verhaal.id).citeren is True
