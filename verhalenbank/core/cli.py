"""`verhalenbank worker`, and the parts of init, demo and serve that know no domain.

The commands init and serve live in verhalenbank/opstart.py and demo in verhalenbank/demo.py:
each reads or loads domain data, which core may not import."""

from __future__ import annotations

import os
import signal
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from verhalenbank.core.errors import Gebruikersfout
from verhalenbank.extensions import db


def run_init() -> None:
    """The data folders and the database at the newest migration (`init`, `demo`, the browser tests)."""
    from verhalenbank.core import migrate

    settings = current_app.config["VERHALENBANK"]
    for folder in (settings.photo_dir, settings.transcript_dir, settings.model_dir, settings.index_dir):
        folder.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)
    db.session.remove()
    db.engine.dispose()  # connections opened before the migration may hold stale schema


def check_port_free(host: str, port: int) -> None:
    """One clear line when the port is taken, before anything claims to run on it."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise Gebruikersfout(
                f"Poort {port} op {host} is al in gebruik. Kies een andere poort: "
                f"make demo PORT={port + 1} (of verhalenbank demo/serve --port {port + 1})."
            ) from None


def serve_app(app, host: str, port: int, *, threads: int, debug: bool, workers: int = 1) -> None:
    """Serve `app` until stopped: waitress, gunicorn with `workers` > 1, Flask's own with `debug`."""
    check_port_free(host, port)
    click.echo(f"Verhalenbank draait op http://{host}:{port}/  (stoppen: Ctrl+C)")
    if debug:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    if workers > 1:
        _serve_processes(app, host, port, workers=workers, threads=threads)
        return
    from waitress import serve as waitress_serve

    # A polite stop (SIGTERM) exits through atexit, which also stops the SQLite worker.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    waitress_serve(app, host=host, port=port, threads=threads, ident="verhalenbank")


def _serve_processes(app, host: str, port: int, *, workers: int, threads: int) -> None:
    """Several processes sharing one socket (gunicorn, threaded workers).

    Safe because every shared resource is guarded across processes: SQLite runs in WAL mode
    with BEGIN IMMEDIATE (core/hooks.py), the Whoosh index takes a flock per write
    (zoeken/whoosh_backend.py), and rate limits and idempotency keys live in the database.
    """
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise click.ClickException("--workers > 1 needs gunicorn (a dependency): reinstall verhalenbank") from None

    # Connections opened in this process (migration check, drift check) must not be shared
    # with the forked workers: each worker opens its own.
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

    def post_fork(_server, _worker) -> None:
        with app.app_context():
            db.engine.dispose(close=False)

    class _Processen(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", 120)
            self.cfg.set("graceful_timeout", 30)
            self.cfg.set("post_fork", post_fork)
            self.cfg.set("proc_name", "verhalenbank")
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn >= 25.1 opens one control socket per user ($HOME/.gunicorn): two
                # servers on one machine (tests, several installations) would fight over it.
                self.cfg.set("control_socket_disable", True)

        def load(self):
            return app

    _Processen().run()


WORKER_STOP_SECONDS = 25  # inside gunicorn's default 30 s graceful timeout


def worker_environment(app) -> dict[str, str]:
    """The environment of a `verhalenbank worker` process for this app: its database, data
    directory, spaCy model and search backend."""
    import os

    settings = app.config["VERHALENBANK"]
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": settings.database_url,
        "VERHALENBANK_DATA_DIR": str(settings.data_dir),
        "VERHALENBANK_SPACY_MODEL": settings.spacy_model,
        "VERHALENBANK_ZOEKBACKEND": settings.search_backend,
    })
    return env


def start_worker_process(app) -> "subprocess.Popen":
    """With SQLite, `serve` runs one `verhalenbank worker` itself, so the embedded default needs
    no extra step. A process of its own: the web process never loads spaCy. Stopped (after its
    current batch) when the server stops."""
    import atexit
    import subprocess

    # On the web server's own machine: the worker only takes CPU time the requests leave over.
    process = subprocess.Popen([sys.executable, "-m", "verhalenbank.cli", "worker", "--idle"], env=worker_environment(app))

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()  # its jobs are taken again once their lease has passed

    atexit.register(stop)
    return process


def start_helper_workers(app, count: int, kinds: tuple[str, ...]) -> list["subprocess.Popen"]:
    """Up to `count` extra `verhalenbank worker --once` processes for a command that has queued
    much work of these kinds (a large import): they work those jobs beside the command, at normal
    priority, and stop when none is left. Processes of their own, so each core works. Returns the
    ones that started (none when the system refuses a process)."""
    import subprocess

    command = [sys.executable, "-m", "verhalenbank.cli", "worker", "--once", "--nice", "0"]
    for kind in kinds:
        command += ["--soort", kind]
    started = []
    for _ in range(count):
        try:
            started.append(subprocess.Popen(command, env=worker_environment(app), stdout=subprocess.DEVNULL))
        except OSError as exc:
            click.echo(f"Could not start a helper worker ({exc}); going on with {len(started)}.", err=True)
            break
    return started


def verlaag_prioriteit(nice: int, *, idle: bool) -> str:
    """Lower this process's CPU priority so that residents' requests go first; returns what was
    done. SCHED_IDLE runs the process only when a CPU has nothing else to do (Linux)."""
    if idle and hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            return "idle"
        except OSError:
            nice = 19  # not allowed here (a container's policy): the lowest nice level instead
    elif idle:
        nice = 19
    if nice and hasattr(os, "nice"):
        os.nice(nice)
        return f"nice {nice}"
    return "normal"


@click.command()
@click.option("--burst", "--once", "burst", is_flag=True,
              help="Work until nothing is ready, then stop (for tests and cron).")
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds between looks at an empty queue.")
@click.option("--nice", "nice", default=10, show_default=True, type=click.IntRange(0, 19),
              help="Lower the worker's CPU priority by this much, so that web requests on the same "
                   "machine go first under a rush (0: same priority).")
@click.option("--idle", is_flag=True,
              help="Run only on CPU time nothing else wants (Linux SCHED_IDLE; elsewhere --nice 19), "
                   "and wait while stories arrive in a rush (at most 2 minutes behind the oldest): "
                   "for a worker beside the web server, which then answers residents at full speed; "
                   "the backlog drains afterwards. `serve` starts its worker this way.")
@click.option("--soort", "soorten", multiple=True, metavar="KIND",
              help="Only jobs of this kind (repeat for several; default: every kind), e.g. "
                   "verhalen.analyseren, zoeken.indexeren.")
@with_appcontext
def worker(burst: bool, poll: float, nice: int, idle: bool, soorten: tuple[str, ...]) -> None:
    """Work the job queue: analysis, indexing, transcripts (run one or more, on any machine)."""
    import threading

    from verhalenbank.core import jobs, migrate

    if migrate.pending_revisions(db.engine):
        raise click.ClickException("The database is not initialised or not up to date: run `verhalenbank init` first.")
    verlaag_prioriteit(nice, idle=idle)
    stop = threading.Event()

    def polite_stop(*_args) -> None:
        stop.set()  # finish the current batch, then stop

    signal.signal(signal.SIGTERM, polite_stop)
    signal.signal(signal.SIGINT, polite_stop)
    unknown = sorted(set(soorten) - set(jobs.registered()))
    if unknown:
        raise click.ClickException(f"Unknown job kind: {', '.join(unknown)} (known: {', '.join(sorted(jobs.registered()))})")
    verwerkt = jobs.work(burst=burst, poll_seconds=poll, stop=stop, yield_to_rush=idle, kinds=soorten or None)
    click.echo(f"{verwerkt} taken verwerkt.")
