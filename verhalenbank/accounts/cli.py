from __future__ import annotations

import click
from flask.cli import with_appcontext

from verhalenbank.accounts import operations
from verhalenbank.accounts.models import Rol
from verhalenbank.extensions import db


@click.group()
def gebruiker() -> None:
    """Manage accounts."""


@gebruiker.command("add")
@click.argument("email")
@click.option("--rol", required=True, type=click.Choice([r.value for r in Rol]))
@click.option("--naam", default="")
@click.option("--organisatie", help="Organisation (required for aanbieder); created if new.")
@click.option("--wachtwoord", envvar="VERHALENBANK_WACHTWOORD", help="Password (default: generated and printed once).")
@with_appcontext
def add(email: str, rol: str, naam: str, organisatie: str | None, wachtwoord: str | None) -> None:
    """Create an account."""
    org = operations.get_or_create_organisatie(organisatie) if organisatie else None
    gegenereerd = wachtwoord is None
    wachtwoord = wachtwoord or operations.generate_wachtwoord()
    nieuw = operations.create_gebruiker(email, rol, naam=naam, wachtwoord=wachtwoord, organisatie=org)
    db.session.commit()
    click.echo(f"Gebruiker {nieuw.email} ({nieuw.rol}) aangemaakt.")
    if gegenereerd:
        click.echo(f"Wachtwoord (wordt maar één keer getoond): {wachtwoord}")
