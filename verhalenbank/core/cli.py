"""init, demo, serve and worker."""

from __future__ import annotations

import os
import signal
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from verhalenbank.core.errors import Gebruikersfout
from verhalenbank.extensions import db


def run_init() -> None:
    from verhalenbank.core import migrate

    settings = current_app.config["VERHALENBANK"]
    for folder in (settings.photo_dir, settings.transcript_dir, settings.model_dir, settings.index_dir):
        folder.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)
    db.session.remove()
    db.engine.dispose()  # connections opened before the migration may hold stale schema


@click.command()
@with_appcontext
def init() -> None:
    """Create or migrate the database and the search index."""
    from verhalenbank.accounts.models import Gebruiker, Rol

    run_init()
    settings = current_app.config["VERHALENBANK"]
    click.echo(f"Database is bijgewerkt: {_safe_url(settings.database_url)}")
    click.echo(f"Gegevensmap: {settings.data_dir}")
    heeft_beheerder = db.session.scalar(select(Gebruiker.id).where(Gebruiker.rol == Rol.BEHEERDER.value).limit(1))
    if heeft_beheerder is None:
        click.echo(
            "Er is nog geen beheerder. Maak er een met:\n"
            "  verhalenbank gebruiker add EMAIL --rol beheerder"
        )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


DEMO_WACHTWOORD = "demo-verhalenbank"
DEMO_GEBRUIKERS = (
    ("beheerder@demo.verhalenbank.nl", "beheerder", None),
    ("beleid@demo.verhalenbank.nl", "beleidsadviseur", None),
    ("facilitator@demo.verhalenbank.nl", "facilitator", None),
    ("aanbieder@demo.verhalenbank.nl", "aanbieder", "Welzijn Lelystad"),
)

# The topic chips on each demo ronde's form, in residents' words (the subdoel titles are policy language).
DEMO_ONDERWERPEN = {
    "lelystad-2026-voorjaar": {"LW1": "Contact met buren", "LW2": "Zorgen voor elkaar en de buurt"},
    "hoorn-2026-najaar": {
        "HS1": "Elkaar helpen", "HS2": "Me alleen voelen", "HS3": "Vooroordelen over psychische problemen",
    },
    "bollenstreek-2026": {
        "MB1": "Gehoord worden door zorgverleners", "MB2": "Begrip op werk of school",
        "MB3": "Geld en vergoedingen", "MB4": "Tijd voor mezelf",
    },
}


def _demo_onderwerpen() -> None:
    """Give each demo ronde its topic labels in residents' words (kept when already set)."""
    from verhalenbank.rondes.operations import zet_onderwerp_labels

    for slug, labels in DEMO_ONDERWERPEN.items():
        zet_onderwerp_labels(slug, labels)


def load_demo_data() -> list[str]:
    """Example trees, stories and one account per role; safe to run twice."""
    from pathlib import Path

    from verhalenbank.accounts import operations as accounts_ops
    from verhalenbank.accounts.models import Gebruiker
    from verhalenbank.doelenbomen import operations as bomen_ops
    from verhalenbank.verhalen.exchange import import_jsonl
    from verhalenbank.verhalen.verwerking import verwerk_verhalen

    demo = Path(__file__).resolve().parent.parent / "demo_data"
    meldingen = []
    bomen = sorted(p for p in demo.iterdir() if p.name.endswith(".yaml"))
    for boom, nieuw in bomen_ops.import_doelenboom_files(bomen):
        meldingen.append(f"Doelenboom {boom.code}: {'geladen' if nieuw else 'bijgewerkt'}")
    db.session.commit()
    for email, rol, organisatie in DEMO_GEBRUIKERS:
        if db.session.scalar(select(Gebruiker).where(Gebruiker.email == email)) is None:
            org = accounts_ops.get_or_create_organisatie(organisatie) if organisatie else None
            accounts_ops.create_gebruiker(email, rol, naam=rol.capitalize(), wachtwoord=DEMO_WACHTWOORD, organisatie=org)
    db.session.commit()

    def na_batch(ids: list[int]) -> None:
        db.session.commit()
        verwerk_verhalen(ids)

    # One ronde per municipality's tree: each example ronde gets the tree its name points to.
    import json

    from verhalenbank.doelenbomen.models import Doelenboom
    from verhalenbank.rondes.operations import boom_bij_naam

    alle_bomen = list(db.session.scalars(select(Doelenboom)))
    with (demo / "verhalen.jsonl").open(encoding="utf-8") as handle:
        slugs = {json.loads(regel).get("ronde") for regel in handle if regel.strip()}
    per_ronde = {}
    for slug in sorted(filter(None, slugs)):
        boom = boom_bij_naam(slug, alle_bomen)
        if boom is not None:
            per_ronde[slug] = [boom.code]
    with (demo / "verhalen.jsonl").open(encoding="utf-8") as handle:
        rapport = import_jsonl(handle, doelenbomen=per_ronde, na_batch=na_batch)
    _demo_onderwerpen()
    db.session.commit()
    meldingen.append(f"Voorbeeldverhalen: {rapport.samenvatting}")
    return meldingen


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Only prepare the demo data, don't start the server.")
@with_appcontext
def demo(host: str, port: int, no_serve: bool) -> None:
    """Init, load the example trees and stories, and serve the app."""
    # Both checks come before anything is stored or claimed.
    if not no_serve:
        check_port_free(host, port)
    _check_model_for_demo()
    run_init()
    for melding in load_demo_data():
        click.echo(melding)
    click.echo("Inloggen kan met (wachtwoord: %s):" % DEMO_WACHTWOORD)
    for email, rol, _ in DEMO_GEBRUIKERS:
        click.echo(f"  {email:38} {rol}")
    if not no_serve:
        app = current_app._get_current_object()
        if db.engine.dialect.name == "sqlite":
            start_worker_process(app)
        _serve(app, host, port, threads=8, debug=False)


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


def _check_model_for_demo() -> None:
    """The demo analyses 90 stories: without a spaCy model all would end 'mislukt'."""
    from verhalenbank.nlp.pipeline import MODEL_VARIABLE, SpacyModelUnavailable, check_model_available, configured_model_name

    try:
        check_model_available()
    except SpacyModelUnavailable:
        raise Gebruikersfout(
            f"Geen spaCy-model '{configured_model_name()}' gevonden: zet {MODEL_VARIABLE} op een geïnstalleerd model "
            "of installeer het officiële met: python -m spacy download nl_core_news_sm"
        ) from None


def _serve(app, host: str, port: int, *, threads: int, debug: bool, workers: int = 1) -> None:
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


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Threads per process.")
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64),
    help="Processes; 1 serves with waitress, more with gunicorn (threaded workers sharing the socket).",
)
@click.option("--debug", is_flag=True, help="Flask's development server with debugger.")
@click.option("--no-worker", is_flag=True,
              help="With SQLite, don't start the job worker (run `verhalenbank worker` yourself).")
@with_appcontext
def serve(host: str, port: int, threads: int, workers: int, debug: bool, no_worker: bool) -> None:
    """Serve the app with a production WSGI server (waitress; gunicorn with --workers > 1)."""
    from verhalenbank.core import migrate

    if migrate.pending_revisions(db.engine):
        raise click.ClickException("The database is not initialised or not up to date: run `verhalenbank init` first.")
    check_port_free(host, port)
    _plan_waiting_stories()
    app = current_app._get_current_object()
    if no_worker:
        click.echo("Geen verwerker gestart: laat `verhalenbank worker` de wachtrij verwerken.", err=True)
    elif db.engine.dialect.name == "sqlite":
        start_worker_process(app)
    else:
        click.echo(
            "Verhalen worden geanalyseerd door `verhalenbank worker`: start er één of meer, "
            "op deze of een andere machine.", err=True,
        )
    _serve(app, host, port, threads=threads, debug=debug, workers=workers)


def _plan_waiting_stories() -> None:
    """Stories stored but waiting for analysis without a job (e.g. from before the job queue):
    queue them, once."""
    from verhalenbank.verhalen.verwerking import plan_wachtende_verhalen

    gepland = plan_wachtende_verhalen()
    db.session.commit()
    db.session.remove()
    if gepland:
        click.echo(f"{gepland} verhalen wachtten nog op analyse; ze staan nu in de wachtrij.")


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

    process = subprocess.Popen([sys.executable, "-m", "verhalenbank.cli", "worker"], env=worker_environment(app))

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()  # its jobs are taken again once their lease has passed

    atexit.register(stop)
    return process


@click.command()
@click.option("--burst", "--once", "burst", is_flag=True,
              help="Work until nothing is ready, then stop (for tests and cron).")
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds between looks at an empty queue.")
@click.option("--nice", "nice", default=10, show_default=True, type=click.IntRange(0, 19),
              help="Lower the worker's CPU priority by this much, so that web requests on the same "
                   "machine go first under a rush (0: same priority).")
@with_appcontext
def worker(burst: bool, poll: float, nice: int) -> None:
    """Work the job queue: analysis, indexing, transcripts (run one or more, on any machine)."""
    import threading

    from verhalenbank.core import jobs, migrate

    if migrate.pending_revisions(db.engine):
        raise click.ClickException("The database is not initialised or not up to date: run `verhalenbank init` first.")
    if nice and hasattr(os, "nice"):
        os.nice(nice)  # residents' requests first; the backlog drains after the rush
    stop = threading.Event()

    def polite_stop(*_args) -> None:
        stop.set()  # finish the current batch, then stop

    signal.signal(signal.SIGTERM, polite_stop)
    signal.signal(signal.SIGINT, polite_stop)
    verwerkt = jobs.work(burst=burst, poll_seconds=poll, stop=stop)
    click.echo(f"{verwerkt} taken verwerkt.")
