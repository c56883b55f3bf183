from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from verhalenbank.extensions import db
from verhalenbank.rondes import operations


def _date(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from None


@click.group()
def ronde() -> None:
    """Manage rondes (collection rounds)."""


@ronde.command("add")
@click.argument("slug")
@click.option("--titel", required=True)
@click.option("--doelenboom", "doelenbomen", multiple=True, help="Tree code; repeat for several.")
@click.option("--vraag", help="The question residents are asked on the public form.")
@click.option("--wijk", "wijken", multiple=True, help="A wijk residents can choose; repeat for several.")
@click.option("--start", callback=_date, help="Start date YYYY-MM-DD.")
@click.option("--eind", callback=_date, help="End date YYYY-MM-DD.")
@click.option("--gesloten", is_flag=True, help="Create the ronde closed.")
@with_appcontext
def add(slug, titel, doelenbomen, vraag, wijken, start, eind, gesloten) -> None:
    """Create a ronde with its public form at /r/SLUG."""
    gegevens = operations.RondeGegevens(
        slug=slug, titel=titel, vraag=vraag or operations.STANDAARD_VRAAG, wijken=list(wijken),
        doelenboom_codes=list(doelenbomen), start_datum=start, eind_datum=eind, is_open=not gesloten,
    )
    nieuw = operations.create_ronde(gegevens)
    db.session.commit()
    click.echo(f"Ronde {nieuw.slug} aangemaakt ({'open' if nieuw.is_open else 'gesloten'}); formulier: /r/{nieuw.slug}")
