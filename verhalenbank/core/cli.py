"""init, demo and serve."""

from __future__ import annotations

import signal
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

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

    with (demo / "verhalen.jsonl").open(encoding="utf-8") as handle:
        rapport = import_jsonl(handle, na_batch=na_batch)
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
    run_init()
    for melding in load_demo_data():
        click.echo(melding)
    click.echo("Inloggen kan met (wachtwoord: %s):" % DEMO_WACHTWOORD)
    for email, rol, _ in DEMO_GEBRUIKERS:
        click.echo(f"  {email:38} {rol}")
    if not no_serve:
        _serve(current_app._get_current_object(), host, port, threads=8, debug=False)


def _serve(app, host: str, port: int, *, threads: int, debug: bool, workers: int = 1) -> None:
    click.echo(f"Verhalenbank draait op http://{host}:{port}/  (stoppen: Ctrl+C)")
    if debug:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    if workers > 1:
        _serve_processes(app, host, port, workers=workers, threads=threads)
        return
    from waitress import serve as waitress_serve

    # A polite stop (SIGTERM) exits through atexit, so queued stories are analysed first.
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
@with_appcontext
def serve(host: str, port: int, threads: int, workers: int, debug: bool) -> None:
    """Serve the app with a production WSGI server (waitress; gunicorn with --workers > 1)."""
    from verhalenbank.core import migrate

    if migrate.pending_revisions(db.engine):
        raise click.ClickException("The database is not initialised or not up to date: run `verhalenbank init` first.")
    _resume_waiting_stories(single_process=workers == 1 and not debug)
    _serve(current_app._get_current_object(), host, port, threads=threads, debug=debug, workers=workers)


def _resume_waiting_stories(*, single_process: bool) -> None:
    """Stories a stopped server had stored but not yet analysed: queue them again (one process),
    or say how to catch up (several processes must not all start on the same stories)."""
    from verhalenbank.verhalen.models import AnalyseStatus, Verhaal
    from verhalenbank.verhalen.verwerking import plan_verwerking

    ids = list(db.session.scalars(select(Verhaal.id).where(Verhaal.analyse_status == AnalyseStatus.TE_ANALYSEREN)))
    db.session.remove()
    if not ids:
        return
    if single_process:
        click.echo(f"{len(ids)} verhalen wachten nog op analyse; dat gebeurt nu op de achtergrond.")
        plan_verwerking(ids)
    else:
        click.echo(f"{len(ids)} verhalen wachten nog op analyse: run `verhalenbank analyse`.", err=True)
