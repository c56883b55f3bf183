"""A real Verhalenbank for end-to-end, load and fault tests: its own data dir and database,
served by `verhalenbank serve` as a separate process on a free loopback port.

Shared by tests/e2e (browser journeys) and tests/load (load and fault tests). Everything runs
as the CLI runs it, with the environment variables of INTERFACES §1, so the tests exercise
the same code path as an operator's server.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from tests.support.databases import POSTGRES_URL, postgres_unreachable_reason
from tests.support.paths import DOELENBOMEN, PROJECT_ROOT, SHARED

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SPACY_MODEL = os.environ.get("VERHALENBANK_SPACY_MODEL", str(SHARED / "models" / "nl_verhalen_sm"))
START_TIMEOUT_SECONDS = 90


def verhalenbank_command() -> list[str]:
    """The installed `verhalenbank` script next to this Python, else the module."""
    script = Path(sys.executable).parent / "verhalenbank"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "verhalenbank.cli"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database of its own (dropped afterwards)."""
    reason = postgres_unreachable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI but unreachable: {reason}")
        pytest.skip(f"PostgreSQL unreachable ({reason}); set up the server to run this half")
    name = f"verhalenbank_e2e_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database_for(kind: str, data_dir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{data_dir / 'verhalenbank.sqlite3'}"
    else:
        with postgres_database() as url:
            yield url


@dataclass
class Omgeving:
    """One installation: data dir, database, environment for its commands."""

    kind: str
    data_dir: Path
    database_url: str

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            VERHALENBANK_DATA_DIR=str(self.data_dir),
            DATABASE_URL=self.database_url,
            VERHALENBANK_SPACY_MODEL=SPACY_MODEL,
            VERHALENBANK_SECRET_KEY="e2e-" + self.kind,
            PYTHONUNBUFFERED="1",
        )
        env.pop("VERHALENBANK_ZOEKBACKEND", None)
        return env

    def run(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        """Run one `verhalenbank` command to completion."""
        result = subprocess.run(
            [*verhalenbank_command(), *args], env=self.env, cwd=self.data_dir,
            capture_output=True, text=True, timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"verhalenbank {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def start(self, *args: str, log_name: str = "proces") -> subprocess.Popen:
        """Start a `verhalenbank` command in its own process group (so it can be killed whole)."""
        log = open(self.data_dir / f"{log_name}.log", "ab")
        return subprocess.Popen(
            [*verhalenbank_command(), *args], env=self.env, cwd=self.data_dir,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def engine(self) -> Engine:
        return create_engine(self.database_url)

    def scalar(self, sql: str, **params):
        if self.kind == "sqlite":
            # A plain deferred read: the app's engines begin every transaction IMMEDIATE,
            # which would queue this observer behind the writers it is watching.
            import sqlite3

            connection = sqlite3.connect(make_url(self.database_url).database, timeout=60)
            try:
                return connection.execute(sql, params).fetchone()[0]
            finally:
                connection.close()
        engine = self.engine()
        try:
            with engine.connect() as connection:
                return connection.execute(text(sql), params).scalar()
        finally:
            engine.dispose()

    def search_index_count(self) -> int:
        """Documents in the search index, through the search module's own back end."""
        from verhalenbank.app import create_app
        from verhalenbank.zoeken.operations import get_backend

        app = create_app({"data_dir": self.data_dir, "database_url": self.database_url, "secret_key": "x"})
        with app.app_context():
            from verhalenbank.extensions import db

            try:
                backend = get_backend()
                if hasattr(backend, "close"):
                    backend.close()  # a fresh reader: other processes wrote the index
                return backend.count()
            finally:
                db.session.remove()
                db.engine.dispose()


@contextmanager
def omgeving(kind: str, tmp_path: Path) -> Iterator[Omgeving]:
    data_dir = tmp_path / f"data-{kind}"
    data_dir.mkdir()
    with database_for(kind, data_dir) as url:
        yield Omgeving(kind, data_dir, url)


LELYSTAD = "lelystad-sociaal-krachtige-wijken"


def prepare(omg: Omgeving, *, ronde: str, wijken: tuple[str, ...] = ("Atolwijk", "Centrum", "Warande")) -> None:
    """What `verhalenbank init`, `doelenboom import` and `ronde add` do, in this process
    (each CLI start costs seconds on a busy CI machine): schema, the example doelenbomen,
    and one open ronde on the Lelystad tree."""
    from verhalenbank.app import create_app
    from verhalenbank.core.cli import run_init
    from verhalenbank.doelenbomen.operations import import_doelenboom_files
    from verhalenbank.extensions import db
    from verhalenbank.rondes.operations import RondeGegevens, create_ronde

    app = create_app({"data_dir": omg.data_dir, "database_url": omg.database_url, "secret_key": omg.env["VERHALENBANK_SECRET_KEY"]})
    with app.app_context():
        run_init()
        import_doelenboom_files(sorted(DOELENBOMEN.glob("*.yaml")))
        create_ronde(RondeGegevens(
            slug=ronde, titel="Buurtkamer Atolwijk",
            vraag="Vertel over een moment in de buurtkamer dat voor u belangrijk was",
            wijken=list(wijken), doelenboom_codes=[LELYSTAD],
        ))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


class Server:
    """`verhalenbank serve` on a free loopback port, as its own process group."""

    def __init__(self, omg: Omgeving, *, workers: int = 1, threads: int = 8):
        self.omg = omg
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def start(self) -> "Server":
        self.process = self.omg.start(
            "serve", "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.workers), "--threads", str(self.threads), log_name="server",
        )
        if self.omg.kind != "sqlite":
            # With SQLite, serve starts its worker itself (in its process group); with
            # PostgreSQL the operator runs `verhalenbank worker`, as the README says; beside
            # the web server on the same machine, with --idle.
            self.worker = self.omg.start("worker", "--idle", log_name="worker")
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        import requests

        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(self.base_url + "/inloggen", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.kill()
        raise AssertionError(f"server did not answer within {START_TIMEOUT_SECONDS}s:\n{self.log()}")

    def log(self) -> str:
        path = self.omg.data_dir / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group (and the worker's): a power cut, no graceful shutdown."""
        for process in (self.process, self.worker):
            if process is None:
                continue
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=30)
        self.process = self.worker = None

    def stop(self) -> None:
        for process in (self.process, self.worker):
            if process is None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        self.process = self.worker = None


def save_artifact(relative: str, source: Path) -> Path:
    target = ARTIFACTS / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target
