"""`verhalenbank init` and `verhalenbank serve`: prepare and start the whole app.

Each reads a domain on the way (is there a beheerder yet; which stories still wait for their
analysis), so they sit at the top beside cli.py; core/cli.py lends them the domain-free parts
(the migration, a free port, the server, the SQLite worker)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from verhalenbank.core.cli import check_port_free, run_init, serve_app, start_worker_process
from verhalenbank.extensions import db


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
    serve_app(app, host, port, threads=threads, debug=debug, workers=workers)


def _plan_waiting_stories() -> None:
    """Stories stored but waiting for analysis without a job (e.g. from before the job queue):
    queue them, once."""
    from verhalenbank.verhalen.verwerking import plan_wachtende_verhalen

    gepland = plan_wachtende_verhalen()
    db.session.commit()
    db.session.remove()
    if gepland:
        click.echo(f"{gepland} verhalen wachtten nog op analyse; ze staan nu in de wachtrij.")
