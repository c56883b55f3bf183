"""`verhalenbank worker` as a real process: kill -9 in the middle of a batch loses and
duplicates nothing. Runs on SQLite and PostgreSQL (the `app` fixture is parametrised)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from verhalenbank.core.cli import worker_environment
from verhalenbank.core.jobs import Job, JobStatus
from verhalenbank.core.models import utcnow
from verhalenbank.extensions import db
from verhalenbank.verhalen import operations
from verhalenbank.verhalen.models import AnalyseStatus, Verhaal
from verhalenbank.verhalen.verwerking import ANALYSEREN, INDEXEREN, plan_verwerking

REPO = Path(__file__).resolve().parents[2]
AANTAL = 70  # batches of 32: two full ones and a rest

ZINNEN = (
    "Elke dinsdag drink ik koffie in de buurtkamer en daar ken ik nu mensen.",
    "Sinds de moestuin achter de flat er is, praat ik met mijn buren over tomaten.",
    "Mijn zoon vond via het jongerenwerk een stage bij de fietsenmaker in de wijk.",
    "Na de verhuizing voelde ik me eenzaam, tot de buurvrouw me meenam naar het koor.",
)


def _worker_env(app) -> dict[str, str]:
    env = worker_environment(app)  # what `serve` gives the worker it starts
    env.update({"VERHALENBANK_SECRET_KEY": "test-secret", "PYTHONPATH": str(REPO)})
    return env


WORKER = [sys.executable, "-m", "verhalenbank.cli", "worker", "--poll", "0.05"]


def _analysis_jobs_done_and_running() -> tuple[int, int]:
    """Read what is committed without waiting: a plain SQLite read in WAL mode does not queue
    behind the worker's write transaction, as the app's BEGIN IMMEDIATE would."""
    query = "SELECT status, COUNT(*) FROM jobs WHERE kind = ? GROUP BY status"
    if db.engine.dialect.name == "sqlite":
        with closing(sqlite3.connect(db.engine.url.database, timeout=30)) as connection:
            rows = dict(connection.execute(query, (ANALYSEREN,)).fetchall())
    else:
        with db.engine.begin() as connection:
            rows = dict(connection.execute(
                select(Job.status, func.count(Job.id)).where(Job.kind == ANALYSEREN).group_by(Job.status)
            ).all())
    return rows.get(JobStatus.DONE.value, 0), rows.get(JobStatus.RUNNING.value, 0)


def test_kill_9_mid_batch_loses_and_duplicates_nothing(app):
    from verhalenbank.zoeken.operations import get_backend

    for i in range(AANTAL):
        verhaal = operations.store_verhaal(operations.VerhaalInvoer(
            tekst=f"{ZINNEN[i % len(ZINNEN)]} Dat was in week {i}.", toestemming=True,
        ))
        plan_verwerking([verhaal.id])
    db.session.commit()
    db.session.remove()
    env = _worker_env(app)
    command = WORKER

    # 1. A worker takes batches; kill -9 once one batch is committed and the next is running.
    log = Path(app.config["VERHALENBANK"].data_dir) / "worker.log"
    with log.open("w") as uitvoer:
        proces = subprocess.Popen(command, env=env, stdout=uitvoer, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        klaar = bezig = None
        while True:
            assert proces.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, (klaar, bezig, log.read_text()[-3000:])
            klaar, bezig = _analysis_jobs_done_and_running()
            if klaar >= 32 and bezig > 0:
                proces.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
    finally:
        proces.kill()
        proces.wait(30)
    assert proces.returncode == -signal.SIGKILL

    db.session.expire_all()
    vast = db.session.scalars(select(Job).where(Job.status == JobStatus.RUNNING.value)).all()
    assert vast, "killed mid-batch: its jobs are left 'running'"
    assert {job.worker.split(":")[1] for job in vast} == {str(proces.pid)}
    vast_ids = {job.id for job in vast}
    al_geanalyseerd = {
        v.id: v.updated_at for v in db.session.scalars(select(Verhaal).where(Verhaal.analyse_status == AnalyseStatus.GEANALYSEERD))
    }
    assert len(al_geanalyseerd) >= 32
    assert len(al_geanalyseerd) < AANTAL

    # 2. Time passes: the dead worker's lease runs out (instead of waiting ten minutes).
    db.session.execute(
        update(Job).where(Job.status == JobStatus.RUNNING.value).values(lease_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    db.session.remove()

    # 3. A new worker drains the queue and stops.
    klaar = subprocess.run([*command, "--once"], env=env, capture_output=True, text=True, timeout=300)
    assert klaar.returncode == 0, klaar.stderr
    assert klaar.stdout.strip().endswith("taken verwerkt.")

    db.session.expire_all()
    verhalen = db.session.scalars(select(Verhaal).order_by(Verhaal.id)).all()
    assert len(verhalen) == AANTAL
    assert {v.analyse_status for v in verhalen} == {AnalyseStatus.GEANALYSEERD}
    # Nothing analysed twice: what was committed before the kill was not touched again.
    assert {v.id: v.updated_at for v in verhalen if v.id in al_geanalyseerd} == al_geanalyseerd
    # Exactly one analysis job per story, all done; the taken-over ones on their second attempt.
    analyse_jobs = db.session.scalars(select(Job).where(Job.kind == ANALYSEREN)).all()
    assert sorted(job.payload["verhaal_id"] for job in analyse_jobs) == [v.id for v in verhalen]
    assert {job.status for job in db.session.scalars(select(Job))} == {JobStatus.DONE.value}
    overgenomen = {job.id: job.attempts for job in analyse_jobs if job.id in vast_ids}
    assert set(overgenomen.values()) == {2}
    # Every story is in the search index, once (an index write is per story id).
    geindexeerd = sorted(i for job in db.session.scalars(select(Job).where(Job.kind == INDEXEREN))
                         for i in job.payload["verhaal_ids"])
    assert sorted(set(geindexeerd)) == [v.id for v in verhalen]
    assert get_backend().ids() == {v.id for v in verhalen}


WEB_ZONDER_SPACY = """
import sys
from verhalenbank.app import create_app
from verhalenbank.core.migrate import upgrade
from verhalenbank.extensions import db
from verhalenbank.rondes.operations import RondeGegevens, create_ronde
from tests.support.factories import import_voorbeeld_bomen

url = sys.argv[1]
upgrade(url)
app = create_app({"data_dir": sys.argv[2], "database_url": url, "secret_key": "x",
                  "achtergrond_verwerking": True, "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False}})
with app.app_context():
    bomen = import_voorbeeld_bomen()
    create_ronde(RondeGegevens(slug="buurt", titel="Buurt", doelenboom_codes=[bomen[0].code]))
    db.session.commit()
    antwoord = app.test_client().post("/r/buurt", data={
        "tekst": "Elke dinsdag drink ik koffie in de buurtkamer.", "toestemming": "y",
        "inzend_sleutel": "sleutel-" + "a" * 24,
    })
    print(antwoord.status_code, sorted({m.split(".")[0] for m in sys.modules} & {"spacy", "sklearn", "weasyprint"}))
"""


def test_the_web_stores_a_story_and_its_job_without_importing_spacy(tmp_path):
    """The request path only stores: the NLP pipeline stays out of web processes."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    resultaat = subprocess.run(
        [sys.executable, "-c", WEB_ZONDER_SPACY, f"sqlite:///{tmp_path / 'web.sqlite3'}", str(data_dir)],
        env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300,
    )
    assert resultaat.returncode == 0, resultaat.stderr[-3000:]
    assert resultaat.stdout.strip().splitlines()[-1] == "303 []"
