"""Retention (`verhalenbank opschonen`, rondes/operations.py and rondes/cli.py): stories past
their ronde's bewaartermijn are erased, the others kept. Who set the term, and the wachttijd
after a shorter one, are in test_bewaartermijn.py."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from tests.verhalen.test_avg import ronde  # noqa: F401  (fixture)
from verhalenbank.accounts.models import AuditLog
from verhalenbank.extensions import db
from verhalenbank.rondes import operations as rondes_ops
from verhalenbank.rondes.operations import months_before
from verhalenbank.verhalen import operations as verhalen_ops
from verhalenbank.verhalen.models import Verhaal


def test_months_before_clips_to_the_end_of_the_month():
    assert months_before(datetime(2026, 3, 31, 12, tzinfo=timezone.utc), 1) == datetime(2026, 2, 28, 12, tzinfo=timezone.utc)
    assert months_before(datetime(2026, 1, 15, tzinfo=timezone.utc), 13) == datetime(2024, 12, 15, tzinfo=timezone.utc)


def _story_aged(ronde, tekst: str, dagen: int) -> int:
    verhaal = verhalen_ops.store_verhaal(verhalen_ops.VerhaalInvoer(tekst=tekst, toestemming=True), ronde=ronde)
    db.session.flush()
    db.session.execute(
        update(Verhaal).where(Verhaal.id == verhaal.id)
        .values(created_at=datetime.now(timezone.utc) - timedelta(days=dagen))
    )
    db.session.commit()
    return verhaal.id


def test_opschonen_deletes_only_expired_stories(app, runner, ronde):
    from verhalenbank.cli import main

    zonder_termijn = rondes_ops.create_ronde(rondes_ops.RondeGegevens(slug="voor-altijd", titel="Voor altijd"))
    db.session.commit()
    oud = _story_aged(ronde, "Een oud verhaal.", 400)        # 12-month period: expired
    jong = _story_aged(ronde, "Een recent verhaal.", 100)    # within the period
    bewaard = _story_aged(zonder_termijn, "Zonder termijn.", 4000)  # no period: kept

    result = runner.invoke(main, ["opschonen", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "avg-ronde: 1 story would be deleted" in result.output
    assert db.session.scalar(select(Verhaal.id).where(Verhaal.id == oud)) == oud

    result = runner.invoke(main, ["opschonen"])
    assert result.exit_code == 0, result.output
    assert "avg-ronde: 1 story deleted" in result.output and "Total: 1 story deleted." in result.output
    db.session.expire_all()
    overgebleven = set(db.session.scalars(select(Verhaal.id)))
    assert oud not in overgebleven and {jong, bewaard} <= overgebleven
    regel = db.session.scalar(select(AuditLog).where(AuditLog.actie == "verhaal_gewist"))
    assert regel.object_id == str(oud) and "bewaartermijn" in regel.reden

    result = runner.invoke(main, ["opschonen"])
    assert "Total: 0 stories deleted." in result.output
