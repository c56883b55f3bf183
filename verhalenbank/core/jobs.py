"""One job queue in the database for all background work.

Planning: an operation calls `plan_job(kind, payload)` in the same transaction as the data the
job is about (flush only; the entry point commits), so a job exists exactly when its data does.

Working: `verhalenbank worker` processes (one or several, on one or several machines) claim the
oldest ready jobs of one kind as a batch, run that kind's handler once for the whole batch, and
commit the batch's work together with the jobs' new status: one commit per batch.

Claiming is safe with several workers:
- PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED`, so two workers never take the same job and
  never wait for each other.
- SQLite: every transaction begins with `BEGIN IMMEDIATE` (core/hooks.py), so a claim is one
  writer's read-then-update and no other process can claim in between.

A worker that dies mid-batch (kill -9, power cut) leaves its jobs 'running' with a lease; once
the lease has passed, any worker claims them again. A handler's database work commits in the
same transaction as its jobs' 'done', so after a crash it has happened entirely or not at all.
Work outside the database (a search-index write) must be idempotent: it may run twice.

A handler that raises rolls the batch back; each job keeps the reason and waits for another
attempt (with a growing pause), until `max_attempts`; then it is 'failed' and a beheerder can
retry it from /beheer/taken.

Core knows no domain: domains describe their kinds as `JobKind`s with "module:function"
handlers, and the application factory registers them (verhalenbank/app.py, `JOB_KINDS`). The
handler's module is imported only when a worker first runs such a job, so web processes never
import what a handler needs (spaCy, for one).
"""

from __future__ import annotations

import enum
import importlib
import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from sqlalchemy import JSON, Index, Integer, String, Text, and_, case, delete, func, literal, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from verhalenbank.core.models import Base, as_utc, utcnow
from verhalenbank.extensions import db

logger = logging.getLogger(__name__)

MAX_ERROR_CHARS = 4000
KEEP_DONE = timedelta(days=7)  # finished jobs stay visible this long, then they are pruned
# A worker beside the web server (`worker --idle`, the worker `serve` starts) steps aside while
# work arrives faster than this (jobs per second over the last RUSH_WINDOW): a rush of
# residents sending stories. Even on CPU time nothing else wants it slows the requests (the two
# cores of a small server are often one physical core), so it waits, looking again every
# RUSH_PAUSE, and never longer than RUSH_MAX_WAIT behind the oldest waiting job.
RUSH_PER_SECOND = 5
RUSH_WINDOW = timedelta(seconds=2)
RUSH_PAUSE_SECONDS = 0.5
RUSH_MAX_WAIT = timedelta(minutes=2)


class JobStatus(str, enum.Enum):
    WAITING = "waiting"
    RUNNING = "running"
    FAILED = "failed"
    DONE = "done"


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.WAITING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


@dataclass(frozen=True)
class Claimed:
    """A claimed job as the worker needs it (read before the claim's commit, so running the
    batch does not reload every row)."""

    id: int
    kind: str
    payload: dict


@dataclass(frozen=True)
class JobKind:
    """What a worker does with jobs of one kind.

    `handler` and `on_failure` are "module:function". The handler gets the payloads of a
    batch (a list of dicts) and only flushes; `on_failure(payloads, reason)` runs after every
    failed attempt (flush only), e.g. to show on the stories that their analysis failed and
    why; a later attempt that succeeds puts that right.

    `prepare` (optional) reads what the batch needs and writes nothing; the runner then ends
    that read transaction and calls `handler(payloads, prepared)`, which does its slow work
    (e.g. spaCy) before it touches the database again. On SQLite, where one transaction writes
    at a time, the web is then never kept waiting while a batch computes.
    """

    name: str
    handler: str
    batch: int = 32
    lease_seconds: int = 600  # a 'running' job older than this has lost its worker
    max_attempts: int = 3
    on_failure: str | None = None
    label: str = ""  # plain Dutch, for the beheerder's overview
    prepare: str | None = None
    # Taken only when no ready job of another kind waits: catching-up work (retagging many
    # stories) never holds up what residents just sent.
    achteraan: bool = False


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    _KINDS[kind.name] = kind


def registered() -> dict[str, JobKind]:
    return dict(_KINDS)


def _load(target: str) -> Callable:
    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)


def plan_job(kind: str, payload: dict[str, Any], *, max_attempts: int | None = None, flush: bool = True) -> Job:
    """Queue a job (flushed, not committed: it commits with the caller's work). `flush=False`
    leaves the insert to the caller's next flush or commit (no id yet; one flush fewer on the
    path of a resident's story)."""
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}; register it first")
    job = Job(
        kind=kind,
        payload=payload,
        status=JobStatus.WAITING.value,
        attempts=0,
        max_attempts=max_attempts or _KINDS[kind].max_attempts,
        run_after=utcnow(),
    )
    db.session.add(job)
    if flush:
        db.session.flush()
    return job


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def _ready(now: datetime):
    return or_(
        and_(Job.status == JobStatus.WAITING.value, Job.run_after <= now),
        and_(Job.status == JobStatus.RUNNING.value, Job.lease_until < now),
    )


def claim(worker: str, *, kinds: Iterable[str] | None = None, now: datetime | None = None) -> list[Claimed]:
    """Take the next batch: ready jobs of one kind, oldest first (kinds marked `achteraan` after
    all others). Commits (the claim must be visible to other workers before the work starts);
    returns the claimed jobs."""
    now = now or utcnow()
    known = sorted(set(kinds) if kinds is not None else set(_KINDS))
    if not known:
        return []
    achteraan = [name for name in known if name in _KINDS and _KINDS[name].achteraan]
    volgorde = case((Job.kind.in_(achteraan), 1), else_=0) if achteraan else literal(0)
    first = db.session.scalar(
        select(Job.kind).where(_ready(now), Job.kind.in_(known)).order_by(volgorde, Job.id).limit(1)
    )
    if first is None:
        db.session.commit()
        return []
    kind = _KINDS[first]
    rows = db.session.scalars(
        select(Job)
        .where(_ready(now), Job.kind == first)
        .order_by(Job.id)
        .limit(kind.batch)
        .with_for_update(skip_locked=True)
    ).all()
    claimed, abandoned = [], []
    for job in rows:
        if job.status == JobStatus.RUNNING.value and job.attempts >= job.max_attempts:
            # Its worker died on every attempt: stop taking it, so it cannot kill workers forever.
            abandoned.append(job)
            continue
        job.status = JobStatus.RUNNING.value
        job.attempts += 1
        job.worker = worker
        job.started_at = now
        job.lease_until = now + timedelta(seconds=kind.lease_seconds)
        claimed.append(Claimed(job.id, job.kind, dict(job.payload or {})))
    if abandoned:
        _give_up(kind, abandoned, "De verwerking stopte onverwacht bij elke poging (de verwerker viel weg).", now)
    db.session.commit()
    return claimed


def _give_up(kind: JobKind, jobs: list[Job], reason: str, now: datetime) -> None:
    for job in jobs:
        job.status = JobStatus.FAILED.value
        job.error = reason[:MAX_ERROR_CHARS]
        job.finished_at = now
        job.lease_until = None
    db.session.flush()
    _on_failure(kind, jobs, reason)


def _on_failure(kind: JobKind, jobs: list[Job], reason: str) -> None:
    if kind.on_failure and jobs:
        try:
            with db.session.begin_nested():
                _load(kind.on_failure)([job.payload for job in jobs], reason)
        except Exception:  # noqa: BLE001 - the job keeps its reason; that is what counts
            logger.exception("on_failure of %s failed", kind.name)


def run_batch(jobs: list[Claimed]) -> bool:
    """Run the handler over a claimed batch and commit its work with the jobs' outcome.
    True when the batch succeeded."""
    if not jobs:
        return True
    kind = _KINDS[jobs[0].kind]
    ids = [job.id for job in jobs]
    payloads = [job.payload for job in jobs]
    try:
        if kind.prepare:
            prepared = _load(kind.prepare)(payloads)
            if db.session.new or db.session.dirty or db.session.deleted:
                raise RuntimeError(f"prepare of {kind.name} changed data; it may only read")
            db.session.rollback()  # ends the read transaction (nothing was written)
            _load(kind.handler)(payloads, prepared)
        else:
            _load(kind.handler)(payloads)
        now = utcnow()
        for job in db.session.scalars(select(Job).where(Job.id.in_(ids))):
            job.status = JobStatus.DONE.value
            job.error = None
            job.finished_at = now
            job.lease_until = None
        db.session.commit()
        return True
    except Exception as exc:  # noqa: BLE001 - a failing batch must not stop the worker
        db.session.rollback()
        logger.exception("job batch %s (%s) failed", ids, kind.name)
        _record_failure(kind, ids, f"{type(exc).__name__}: {exc}")
        return False


def _record_failure(kind: JobKind, ids: list[int], reason: str) -> None:
    now = utcnow()
    jobs = list(db.session.scalars(select(Job).where(Job.id.in_(ids), Job.status == JobStatus.RUNNING.value)))
    for job in jobs:
        job.error = reason[:MAX_ERROR_CHARS]
        job.lease_until = None
        if job.attempts >= job.max_attempts:
            job.status = JobStatus.FAILED.value
            job.finished_at = now
        else:
            job.status = JobStatus.WAITING.value
            job.run_after = now + timedelta(seconds=30 * 2 ** (job.attempts - 1))
    db.session.flush()
    _on_failure(kind, jobs, reason)
    db.session.commit()


def in_rush(now: datetime | None = None) -> bool:
    """Work is arriving in a rush (RUSH_PER_SECOND over RUSH_WINDOW) and the oldest waiting job
    has waited less than RUSH_MAX_WAIT. One indexed count; ends its read transaction."""
    now = now or utcnow()
    waiting = Job.status == JobStatus.WAITING.value
    recent = db.session.scalar(
        select(func.count(Job.id)).where(waiting, Job.run_after > now - RUSH_WINDOW, Job.run_after <= now)
    )
    rush = recent >= RUSH_PER_SECOND * RUSH_WINDOW.total_seconds()
    if rush:
        oldest = db.session.scalar(select(func.min(Job.run_after)).where(waiting))
        rush = oldest is not None and as_utc(oldest) > now - RUSH_MAX_WAIT
    db.session.commit()
    return rush


def work(
    *,
    worker: str | None = None,
    burst: bool = False,
    poll_seconds: float = 1.0,
    stop: threading.Event | None = None,
    kinds: Iterable[str] | None = None,
    housekeeping: bool = True,
    yield_to_rush: bool = False,
    after_batch: Callable[[], None] | None = None,
) -> int:
    """Work the queue in the current app context until `stop` is set (or, with `burst`, until
    nothing is ready). With `yield_to_rush`, wait while `in_rush()`. `after_batch` is called
    after every batch (a command's progress bar). Returns the number of jobs processed."""
    worker = worker or worker_id()
    stop = stop or threading.Event()
    processed = 0
    pruned_at: datetime | None = None
    while not stop.is_set():
        if housekeeping and (pruned_at is None or utcnow() - pruned_at > timedelta(hours=1)):
            prune()
            pruned_at = utcnow()
        if yield_to_rush and in_rush():
            stop.wait(RUSH_PAUSE_SECONDS)
            continue
        jobs = claim(worker, kinds=kinds)
        if not jobs:
            if burst:
                break
            stop.wait(poll_seconds)
            continue
        run_batch(jobs)
        processed += len(jobs)
        if after_batch:
            after_batch()
    return processed


def available_cores(limit: int) -> int:
    """The cores this process may run on, at most `limit` (processes worth starting for one job)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, limit))


def remaining(kinds: Iterable[str]) -> int:
    """Jobs of these kinds still waiting or running (ends its read transaction)."""
    count = db.session.scalar(
        select(func.count(Job.id)).where(
            Job.kind.in_(list(kinds)), Job.status.in_([JobStatus.WAITING.value, JobStatus.RUNNING.value])
        )
    )
    db.session.commit()
    return int(count or 0)


def run_now_if_synchronous() -> int:
    """Entry points call this after their commit. With background processing off
    (VERHALENBANK_VERWERKING=direct; the unit tests) the jobs run here, now; otherwise a
    worker takes them. Never raises: the planned work is stored either way."""
    from flask import current_app

    if current_app.config["VERHALENBANK"].achtergrond_verwerking:
        return 0
    try:
        return work(burst=True, housekeeping=False)
    except Exception:  # noqa: BLE001 - the jobs stay queued for a worker
        logger.exception("running queued jobs directly failed")
        db.session.rollback()
        return 0


def retry(job_id: int) -> Job | None:
    """A failed job waits again, with a fresh count of attempts (flush only)."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.FAILED.value:
        return None
    job.status = JobStatus.WAITING.value
    job.attempts = 0
    job.run_after = utcnow()
    job.finished_at = None
    db.session.flush()
    return job


def prune(now: datetime | None = None) -> int:
    """Forget finished jobs older than KEEP_DONE. Commits (a worker's housekeeping)."""
    cutoff = (now or utcnow()) - KEEP_DONE
    result = db.session.execute(
        delete(Job).where(Job.status == JobStatus.DONE.value, Job.finished_at < cutoff),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return result.rowcount or 0


def counts() -> dict[str, int]:
    """Jobs per status, for the beheerder's overview."""
    rows = db.session.execute(select(Job.status, func.count(Job.id)).group_by(Job.status)).all()
    found = {status: count for status, count in rows}
    return {status.value: found.get(status.value, 0) for status in JobStatus}


def oldest_waiting_minutes(now: datetime | None = None) -> float:
    """How long the oldest ready job has waited (0 without one): a long wait with nothing
    running means no worker is working the queue."""
    now = now or utcnow()
    oldest = db.session.scalar(
        select(func.min(Job.run_after)).where(Job.status == JobStatus.WAITING.value, Job.run_after <= now)
    )
    if oldest is None:
        return 0.0
    return (now - as_utc(oldest)).total_seconds() / 60


def overview(limit: int = 200) -> dict[str, list[Job]]:
    """Waiting, running and failed jobs, oldest first, for the beheerder."""
    lists: dict[str, list[Job]] = {}
    for status in (JobStatus.RUNNING, JobStatus.WAITING, JobStatus.FAILED):
        lists[status.value] = list(
            db.session.scalars(select(Job).where(Job.status == status.value).order_by(Job.id).limit(limit))
        )
    return lists


__all__ = [
    "Job", "JobKind", "JobStatus", "claim", "counts", "oldest_waiting_minutes", "overview", "plan_job", "prune",
    "register", "registered", "retry", "run_batch", "run_now_if_synchronous", "work", "worker_id",
]
