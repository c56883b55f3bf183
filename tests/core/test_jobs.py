"""The job queue (core/jobs.py): claim, complete, fail, retry, lease, and workers side by side.

Runs on SQLite and PostgreSQL (the `app` fixture is parametrised).
"""

from __future__ import annotations

import threading
from datetime import timedelta, timezone

import pytest
from sqlalchemy import select

from tests.support.jobs import make_retries_due, run_worker_once
from verhalenbank.core import jobs
from verhalenbank.core.jobs import Job, JobKind, JobStatus
from verhalenbank.core.models import utcnow
from verhalenbank.extensions import db

TEST_KIND = "test.tellen"
GEDAAN: list[int] = []  # payload numbers the handler ran, in order
MISLUKT: list[tuple[list[int], str]] = []
_LOCK = threading.Lock()


def tel_handler(payloads: list[dict]) -> None:
    if any(payload.get("kapot") for payload in payloads):
        raise RuntimeError("kapot gegaan")
    with _LOCK:
        GEDAAN.extend(payload["n"] for payload in payloads)


def bij_mislukken(payloads: list[dict], reden: str) -> None:
    MISLUKT.append(([payload["n"] for payload in payloads], reden))


@pytest.fixture(autouse=True)
def test_kind(app):
    jobs.register(JobKind(TEST_KIND, f"{__name__}:tel_handler", batch=5, max_attempts=2,
                          on_failure=f"{__name__}:bij_mislukken"))
    GEDAAN.clear()
    MISLUKT.clear()
    yield
    jobs._KINDS.pop(TEST_KIND, None)


def plan(n: int, **extra) -> int:
    job = jobs.plan_job(TEST_KIND, {"n": n, **extra})
    return job.id


def statuses() -> dict[int, str]:
    db.session.expire_all()
    return {job.payload["n"]: job.status for job in db.session.scalars(select(Job).order_by(Job.id))}


def test_plan_only_flushes_the_caller_commits(app):
    plan(1)
    db.session.rollback()
    assert db.session.scalars(select(Job)).all() == []
    plan(2)
    db.session.commit()
    assert statuses() == {2: "waiting"}


def test_unknown_kind_is_refused(app):
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.plan_job("bestaat.niet", {})


def test_claim_takes_a_batch_of_one_kind_oldest_first_and_completes_it(app):
    for n in range(7):
        plan(n)
    db.session.commit()
    batch = jobs.claim("w1")
    assert [c.payload["n"] for c in batch] == [0, 1, 2, 3, 4]
    assert statuses() == {0: "running", 1: "running", 2: "running", 3: "running", 4: "running", 5: "waiting", 6: "waiting"}
    job = db.session.get(Job, batch[0].id)
    assert (job.worker, job.attempts) == ("w1", 1)
    assert job.lease_until is not None

    assert jobs.run_batch(batch) is True
    assert GEDAAN == [0, 1, 2, 3, 4]
    assert statuses() == {0: "done", 1: "done", 2: "done", 3: "done", 4: "done", 5: "waiting", 6: "waiting"}
    assert db.session.get(Job, batch[0].id).finished_at is not None
    assert run_worker_once() == 2
    assert GEDAAN == [0, 1, 2, 3, 4, 5, 6]
    assert jobs.claim("w1") == []


def test_a_kind_marked_achteraan_waits_for_every_other_ready_job(app):
    """Catching-up work (retagging the bank) never holds up what residents just sent."""
    jobs.register(JobKind("test.achteraan", f"{__name__}:tel_handler", batch=5, achteraan=True))
    try:
        jobs.plan_job("test.achteraan", {"n": 100})
        plan(1)
        db.session.commit()
        assert [c.payload["n"] for c in jobs.claim("w1")] == [1]  # the newer job of the other kind first
        assert [c.payload["n"] for c in jobs.claim("w1")] == [100]
    finally:
        jobs._KINDS.pop("test.achteraan", None)


def test_failure_keeps_the_reason_retries_later_then_gives_up(app):
    plan(1, kapot=True)
    db.session.commit()
    assert run_worker_once() == 1
    db.session.expire_all()
    job = db.session.scalars(select(Job)).one()
    assert (job.status, job.attempts, job.error) == ("waiting", 1, "RuntimeError: kapot gegaan")
    run_after = job.run_after
    if run_after.tzinfo is None:
        run_after = run_after.replace(tzinfo=timezone.utc)  # SQLite gives naive UTC values back
    assert run_after > utcnow() + timedelta(seconds=20)  # a pause before the next attempt
    assert MISLUKT == [([1], "RuntimeError: kapot gegaan")]
    assert run_worker_once() == 0  # not due yet

    make_retries_due()
    assert run_worker_once() == 1
    db.session.expire_all()
    job = db.session.scalars(select(Job)).one()
    assert (job.status, job.attempts, job.error) == ("failed", 2, "RuntimeError: kapot gegaan")
    assert job.finished_at is not None
    make_retries_due()
    assert run_worker_once() == 0  # failed stays failed until someone retries it
    assert GEDAAN == []


def test_retry_of_a_failed_job_runs_it_again(app, monkeypatch):
    job_id = plan(1, kapot=True)
    db.session.commit()
    run_worker_once()
    make_retries_due()
    run_worker_once()
    assert statuses() == {1: "failed"}
    assert jobs.retry(job_id) is not None
    db.session.commit()
    job = db.session.get(Job, job_id)
    assert (job.status, job.attempts) == ("waiting", 0)
    job.payload = {"n": 1}  # the cause is repaired
    db.session.commit()
    assert run_worker_once() == 1
    assert statuses() == {1: "done"}
    assert GEDAAN == [1]
    assert jobs.retry(job_id) is None  # only failed jobs are retried


def test_a_failing_batch_rolls_back_its_work(app, monkeypatch):
    import sys

    from verhalenbank.accounts.models import Organisatie

    def schrijft_dan_kapot(payloads):
        db.session.add(Organisatie(naam="half werk"))
        db.session.flush()
        raise RuntimeError("halverwege")

    monkeypatch.setattr(sys.modules[__name__], "tel_handler", schrijft_dan_kapot)
    plan(1)
    db.session.commit()
    assert run_worker_once() == 1
    assert db.session.scalars(select(Organisatie)).all() == []
    assert statuses() == {1: "waiting"}


def test_a_running_job_of_a_dead_worker_is_taken_again_after_its_lease(app):
    plan(1)
    db.session.commit()
    dood = jobs.claim("dode-verwerker")
    assert [c.payload["n"] for c in dood] == [1]
    assert jobs.claim("w2") == []  # the lease still runs
    assert jobs.claim("w2", now=utcnow() + timedelta(seconds=601)) != []
    db.session.expire_all()
    job = db.session.get(Job, dood[0].id)
    assert (job.status, job.worker, job.attempts) == ("running", "w2", 2)


def test_a_job_that_kills_every_worker_ends_failed(app):
    plan(1)
    db.session.commit()
    jobs.claim("w1")
    later = utcnow() + timedelta(seconds=601)
    jobs.claim("w2", now=later)  # the second and last attempt, also dies
    assert jobs.claim("w3", now=later + timedelta(seconds=601)) == []
    db.session.expire_all()
    job = db.session.scalars(select(Job)).one()
    assert job.status == "failed"
    assert job.error == "De verwerking stopte onverwacht bij elke poging (de verwerker viel weg)."
    assert MISLUKT == [([1], job.error)]


def test_prune_forgets_old_finished_jobs_only(app):
    for n in range(3):
        plan(n)
    db.session.commit()
    run_worker_once()
    oud = db.session.scalars(select(Job).order_by(Job.id)).first()
    oud.finished_at = utcnow() - timedelta(days=8)
    plan(9)
    db.session.commit()
    assert jobs.prune() == 1
    assert statuses() == {1: "done", 2: "done", 9: "waiting"}
    assert jobs.counts() == {"waiting": 1, "running": 0, "failed": 0, "done": 2}


def test_two_workers_at_once_never_take_the_same_job(app):
    """Four workers in threads, each with its own session and connection, drain 60 jobs:
    every job runs exactly once (PostgreSQL: SKIP LOCKED; SQLite: BEGIN IMMEDIATE)."""
    for n in range(60):
        plan(n)
    db.session.commit()
    db.session.remove()
    fouten: list[BaseException] = []

    def werker(naam: str) -> None:
        try:
            with app.app_context():
                jobs.work(burst=True, worker=naam)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            fouten.append(exc)

    threads = [threading.Thread(target=werker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert fouten == []
    assert sorted(GEDAAN) == list(range(60))
    assert set(statuses().values()) == {"done"}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_skip_locked_passes_over_jobs_another_worker_is_claiming(app):
    assert db.engine.dialect.name == "postgresql"
    for n in range(8):
        plan(n)
    db.session.commit()
    with db.engine.connect() as connection:
        transaction = connection.begin()
        # Another worker is in the middle of claiming the oldest five.
        bezet = connection.execute(
            select(Job.id).order_by(Job.id).limit(5).with_for_update(skip_locked=True)
        ).scalars().all()
        geclaimd = jobs.claim("w2")  # does not wait for the other transaction
        assert len(geclaimd) == 3
        assert {c.id for c in geclaimd}.isdisjoint(bezet)
        transaction.rollback()


VOORBEREID: list[tuple[list[int], bool]] = []  # (numbers, a transaction was open) per handler call


def lees_handler(payloads: list[dict]) -> list[int]:
    db.session.scalar(select(Job.id).limit(1))  # a read: opens a transaction
    return [payload["n"] for payload in payloads]


def reken_handler(payloads: list[dict], voorbereid: list[int]) -> None:
    VOORBEREID.append((voorbereid, db.session().in_transaction()))


def schrijf_in_lees_handler(payloads: list[dict]) -> None:
    db.session.add(Job(kind="test.ander", payload={}, status=JobStatus.DONE.value))


def test_a_prepared_batch_computes_with_no_transaction_open(app):
    jobs.register(JobKind("test.voorbereid", f"{__name__}:reken_handler", prepare=f"{__name__}:lees_handler"))
    VOORBEREID.clear()
    try:
        for n in (1, 2):
            jobs.plan_job("test.voorbereid", {"n": n})
        db.session.commit()
        assert jobs.work(burst=True, worker="test-worker", kinds=["test.voorbereid"]) == 2
        # The handler got what prepare read, and began with the read transaction ended (on
        # SQLite: the web's writes do not wait while a batch computes).
        assert VOORBEREID == [([1, 2], False)]
        assert set(statuses().values()) == {JobStatus.DONE.value}
    finally:
        jobs._KINDS.pop("test.voorbereid", None)


def test_a_prepare_step_that_writes_fails_the_batch_and_stores_nothing(app):
    jobs.register(JobKind("test.schrijft", f"{__name__}:reken_handler", prepare=f"{__name__}:schrijf_in_lees_handler",
                          max_attempts=1))
    VOORBEREID.clear()
    try:
        jobs.plan_job("test.schrijft", {"n": 1})
        db.session.commit()
        jobs.work(burst=True, worker="test-worker", kinds=["test.schrijft"])
        db.session.expire_all()
        assert VOORBEREID == []
        job = db.session.scalar(select(Job).where(Job.kind == "test.schrijft"))
        assert job.status == JobStatus.FAILED.value
        assert "may only read" in job.error
        assert db.session.scalar(select(Job).where(Job.kind == "test.ander")) is None
    finally:
        jobs._KINDS.pop("test.schrijft", None)


def test_a_worker_beside_the_web_server_steps_aside_while_stories_arrive_in_a_rush(app):
    """Ten jobs queued in the last two seconds is a rush: `work(yield_to_rush=True)` claims
    nothing while it lasts; a worker without it (on its own machine) works straight on."""
    for n in range(jobs.RUSH_PER_SECOND * 2):
        plan(n)
    db.session.commit()
    assert jobs.in_rush()
    stop = threading.Event()
    threading.Timer(1.2, stop.set).start()
    assert jobs.work(stop=stop, poll_seconds=0.05, housekeeping=False, yield_to_rush=True) == 0
    assert set(statuses().values()) == {"waiting"}
    assert jobs.work(burst=True, housekeeping=False) == jobs.RUSH_PER_SECOND * 2
    assert set(statuses().values()) == {"done"}


def test_after_the_rush_or_when_the_oldest_story_waited_too_long_the_worker_goes_on(app):
    aantal = jobs.RUSH_PER_SECOND * 2 + 5  # still a rush without the oldest
    for n in range(aantal):
        plan(n)
    db.session.commit()
    assert jobs.in_rush()
    # Two seconds later nothing new arrived: the rush is over.
    assert not jobs.in_rush(now=utcnow() + jobs.RUSH_WINDOW + timedelta(milliseconds=10))
    # A rush that never ends: the oldest job waited RUSH_MAX_WAIT, so the worker takes it.
    oudste = db.session.scalars(select(Job).order_by(Job.id)).first()
    oudste.run_after = utcnow() - jobs.RUSH_MAX_WAIT - timedelta(seconds=1)
    db.session.commit()
    assert not jobs.in_rush()
    assert jobs.work(burst=True, housekeeping=False, yield_to_rush=True) == aantal


def test_a_trickle_is_no_rush(app):
    for n in range(jobs.RUSH_PER_SECOND * 2 - 1):
        plan(n)
    db.session.commit()
    assert not jobs.in_rush()
