"""Running the job queue in a test: what `verhalenbank worker --once` does, in this process."""

from __future__ import annotations

from datetime import timedelta


def run_worker_once() -> int:
    """Work every ready job until none is left (in the current app context); how many ran."""
    from verhalenbank.core import jobs

    return jobs.work(burst=True, worker="test-worker")


def make_retries_due() -> None:
    """Jobs waiting for a later attempt become ready now (instead of after their pause)."""
    from verhalenbank.core.jobs import Job, JobStatus
    from verhalenbank.core.models import utcnow
    from verhalenbank.extensions import db

    for job in db.session.query(Job).filter(Job.status == JobStatus.WAITING.value):
        job.run_after = utcnow() - timedelta(seconds=1)
    db.session.commit()
