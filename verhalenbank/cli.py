"""The `verhalenbank` command line (INTERFACES §4).

User errors (`Gebruikersfout`) become a one-line reason and a non-zero exit, never a traceback.
Domain commands live in each domain's `cli.py` and are listed here explicitly.
"""

from __future__ import annotations

import sys

import click
from flask.cli import ScriptInfo
from sqlalchemy.exc import OperationalError, ProgrammingError

from verhalenbank.core.errors import Gebruikersfout


class VerhalenbankGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Gebruikersfout as exc:
            raise click.ClickException(exc.bericht) from None
        except (OperationalError, ProgrammingError) as exc:
            text = str(exc.orig).lower()
            if "no such table" in text or "does not exist" in text:
                raise click.ClickException(
                    "The database is not initialised or not up to date: run `verhalenbank init` first."
                ) from None
            raise click.ClickException(f"Database error: {str(exc.orig).splitlines()[0]}") from None


def _create_app():
    from verhalenbank.app import create_app

    return create_app()


@click.group(cls=VerhalenbankGroup)
@click.version_option(package_name="verhalenbank")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Verhalenbank: verhalen verzamelen, analyseren, zoeken en teruggeven."""
    if not isinstance(ctx.obj, ScriptInfo):
        ctx.obj = ScriptInfo(create_app=_create_app)


def _register() -> None:
    from verhalenbank.accounts.cli import gebruiker, opschonen
    from verhalenbank.core.cli import demo, init, serve
    from verhalenbank.doelenbomen.cli import doelenboom
    from verhalenbank.rondes.cli import ronde
    from verhalenbank.verhalen.cli import verhalen
    from verhalenbank.zoeken.cli import reindex, zoek
    from verhalenbank.transcripten.cli import transcript
    from verhalenbank.pakketten.cli import pakket
    from verhalenbank.nlp.cli import analyse, train

    for command in (init, demo, serve, doelenboom, verhalen, ronde, gebruiker, transcript, zoek, reindex, pakket, opschonen, analyse, train):
        main.add_command(command)


_register()

if __name__ == "__main__":
    sys.exit(main())
