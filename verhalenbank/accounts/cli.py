from __future__ import annotations

import click
from flask.cli import with_appcontext

from verhalenbank.accounts import operations
from verhalenbank.accounts.models import Rol
from verhalenbank.core.sqlite_wal import checkpoint_wal
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


def _termijn(herkomst: dict, gedaan: str) -> str:
    """'bewaartermijn 1 month, set by a@b.nl on 2026-12-04': the setting and the person behind it."""
    maanden = herkomst["bewaartermijn_maanden"]
    tekst = f"bewaartermijn {maanden} {'month' if maanden == 1 else 'months'}, {gedaan} by {herkomst['ingesteld_door']}"
    return tekst + (f" on {herkomst['ingesteld_op'][:10]}" if herkomst["ingesteld_op"] else "")


@click.command()
@click.option("--dry-run", is_flag=True, help="Only show what would be deleted.")
@with_appcontext
def opschonen(dry_run: bool) -> None:
    """Delete stories older than their ronde's retention period, and purge erased stories from
    the search index files (AVG). Run it daily, e.g. from cron."""
    from verhalenbank.accounts import avg
    from verhalenbank.rondes.operations import WACHTTIJD_DAGEN
    from verhalenbank.verhalen.operations import after_erase

    resultaat = avg.opschonen(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        after_erase(resultaat.verhaal_ids)
    werkwoord = "would be deleted" if dry_run else "deleted"
    for slug, aantal in resultaat.per_ronde.items():
        click.echo(f"{slug}: {aantal} {'story' if aantal == 1 else 'stories'} {werkwoord} ({_termijn(resultaat.herkomst[slug], 'set')})")
        if dry_run:
            for verhaal_id, aangemaakt in resultaat.verhalen[slug]:
                click.echo(f"  story {verhaal_id}, stored {aangemaakt:%Y-%m-%d}")
    for slug, (aantal, toegepast, wacht_tot) in resultaat.wachtend.items():
        meanwhile = f"the earlier {toegepast} months apply" if toegepast is not None else "nothing is erased"
        click.echo(
            f"{slug}: {aantal} {'story waits' if aantal == 1 else 'stories wait'} until {wacht_tot:%Y-%m-%d} "
            f"({_termijn(resultaat.herkomst[slug], 'shortened')}; for {WACHTTIJD_DAGEN} days after a shorter term "
            f"{meanwhile}; undo the change to keep them)"
        )
    click.echo(f"Total: {resultaat.totaal} {'story' if resultaat.totaal == 1 else 'stories'} {werkwoord}.")
    if not dry_run:
        # Also what was erased earlier by hand or by a resident: search only hides it until now.
        segmenten = avg.purge_search_index()
        click.echo(f"Search index: {segmenten} segment(s) rewritten without erased stories.")
        checkpoint_wal(db.engine)  # also what earlier erasures left in the WAL if a reader blocked it
