"""The beheerder's page of background jobs: /beheer/taken (waiting, running, failed, retry)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from verhalenbank.accounts.models import AuditLog
from verhalenbank.core.jobs import Job, JobStatus
from verhalenbank.core.models import utcnow
from verhalenbank.extensions import db
from verhalenbank.verhalen.verwerking import ANALYSEREN, INDEXEREN


def _job(status: str, **velden) -> int:
    job = Job(kind=velden.pop("kind", ANALYSEREN), payload=velden.pop("payload", {"verhaal_id": 7}), status=status,
              attempts=velden.pop("attempts", 0), max_attempts=3, run_after=utcnow(), created_at=utcnow(), **velden)
    db.session.add(job)
    db.session.commit()
    return job.id


def test_beheerder_sees_waiting_running_and_failed_with_the_reason(client, login):
    _job("waiting", kind=INDEXEREN, payload={"verhaal_ids": [1, 2]}, error="OSError: schijf vol", attempts=1)
    _job("running", worker="server-2:4711:1", attempts=1, started_at=utcnow())
    _job("failed", error="SpacyModelUnavailable: geen model", attempts=3, finished_at=utcnow())
    _job("done", finished_at=utcnow())
    login("beheerder")
    pagina = client.get("/beheer/taken").get_data(as_text=True)
    assert "Taken op de achtergrond" in pagina
    assert re.search(r"Wachten: <strong>1</strong>.*Bezig: <strong>1</strong>.*Mislukt: <strong>1</strong>", pagina, re.S)
    mislukt, bezig, wachten = (pagina.split(f'<h2 id="{kop}">')[1].split("</table>")[0] for kop in ("mislukt", "bezig", "wachten"))
    assert "Verhaal analyseren" in mislukt and "SpacyModelUnavailable: geen model" in mislukt
    assert "Opnieuw proberen" in mislukt
    assert "server-2:4711:1" in bezig and "1 van 3" in bezig
    assert "Verhalen doorzoekbaar maken" in wachten and "verhaal_ids: [1, 2]" in wachten
    assert "OSError: schijf vol" in wachten
    assert 'href="/beheer/taken"' in client.get("/").get_data(as_text=True)  # in the beheerder's menu


def test_retry_puts_a_failed_job_back_and_is_audited(client, login):
    job_id = _job("failed", error="RuntimeError: kapot", attempts=3, finished_at=utcnow())
    beheerder = login("beheerder")
    response = client.post(f"/beheer/taken/{job_id}/opnieuw")
    assert response.status_code == 302 and response.headers["Location"].endswith("/beheer/taken")
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.status, job.attempts) == (JobStatus.WAITING.value, 0)
    regel = db.session.scalars(select(AuditLog).where(AuditLog.actie == "taak_opnieuw")).one()
    assert (regel.gebruiker_id, regel.object_type, regel.object_id) == (beheerder.id, "taak", str(job_id))
    assert regel.details == {"soort": ANALYSEREN, "laatste_fout": "RuntimeError: kapot"}
    assert f"Taak {job_id} staat weer in de wachtrij." in client.get("/beheer/taken").get_data(as_text=True)


def test_retry_of_a_job_that_is_not_failed_changes_nothing(client, login):
    job_id = _job("running", attempts=1, worker="w1")
    login("beheerder")
    client.post(f"/beheer/taken/{job_id}/opnieuw")
    assert "niet (meer) mislukt" in client.get("/beheer/taken").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Job, job_id).status == JobStatus.RUNNING.value
    assert db.session.scalars(select(AuditLog).where(AuditLog.actie == "taak_opnieuw")).all() == []


def test_retry_needs_the_csrf_token(app, client, login):
    job_id = _job("failed", error="RuntimeError: kapot", attempts=3)
    login("beheerder")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/beheer/taken/{job_id}/opnieuw").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.get(Job, job_id).status == JobStatus.FAILED.value


@pytest.mark.parametrize("rol", ["beleidsadviseur", "facilitator", "aanbieder"])
def test_only_the_beheerder_sees_or_retries_jobs(client, login, rol):
    job_id = _job("failed", error="RuntimeError: kapot", attempts=3)
    login(rol)
    assert client.get("/beheer/taken").status_code == 403
    assert client.post(f"/beheer/taken/{job_id}/opnieuw").status_code == 403
    assert 'href="/beheer/taken"' not in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Job, job_id).status == JobStatus.FAILED.value


def test_without_login_the_page_asks_to_log_in(client):
    response = client.get("/beheer/taken")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_queue_nobody_works_is_pointed_out(client, login):
    from datetime import timedelta

    job_id = _job("waiting")
    job = db.session.get(Job, job_id)
    job.run_after = utcnow() - timedelta(minutes=10)
    db.session.commit()
    login("beheerder")
    assert "Draait de verwerker wel?" in client.get("/beheer/taken").get_data(as_text=True)
