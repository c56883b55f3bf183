"""A re-import that drops subdoelen (and so their labels) is audited with who, before and after."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from tests.support.paths import DOELENBOMEN
from verhalenbank.accounts import operations as accounts_ops
from verhalenbank.accounts.models import AuditLog
from verhalenbank.extensions import db
from verhalenbank.verhalen import operations as verhalen_ops

LELYSTAD = "lelystad-sociaal-krachtige-wijken"


def test_dropping_subdoelen_is_audited_with_who_before_and_after(app, client, make_user, voorbeeld_bomen):
    verhalen_ops.store_verhaal(
        verhalen_ops.VerhaalInvoer(tekst="Een verhaal over contact.", toestemming=True, labels=["LW1"]), ronde=None
    )
    beheerder = make_user("beheerder")
    _, token = accounts_ops.create_api_token(beheerder, "boom")
    db.session.commit()
    boom = next(b for b in voorbeeld_bomen if b.code == LELYSTAD)
    voor = [s.code for s in boom.subdoelen]
    tekst = (DOELENBOMEN / f"{LELYSTAD}.yaml").read_text(encoding="utf-8")
    import yaml

    data = yaml.safe_load(tekst)
    data["subdoelen"] = [s for s in data["subdoelen"] if s["code"] != "LW1"]
    g.pop("_login_user", None)
    response = client.post("/api/v1/doelenbomen", data=yaml.safe_dump(data, allow_unicode=True),
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"})
    assert response.status_code == 200, response.get_data(as_text=True)
    regel = db.session.scalar(select(AuditLog).where(AuditLog.actie == "doelenboom_subdoelen_verwijderd"))
    assert regel.gebruiker_email == beheerder.email and regel.object_id == LELYSTAD
    assert regel.details["voor"] == voor
    assert regel.details["na"] == [c for c in voor if c != "LW1"]
    assert regel.details["verwijderd"] == ["LW1"] and regel.details["labels_verwijderd"] == 1


def test_a_re_import_that_drops_nothing_writes_no_such_entry(app, voorbeeld_bomen):
    from verhalenbank.doelenbomen.operations import import_doelenboom_files

    import_doelenboom_files(sorted(DOELENBOMEN.glob("*.yaml")))
    db.session.commit()
    assert db.session.scalar(select(AuditLog).where(AuditLog.actie == "doelenboom_subdoelen_verwijderd")) is None
