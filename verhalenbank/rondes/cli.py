from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from verhalenbank.core.errors import Gebruikersfout
from verhalenbank.core.sqlite_wal import checkpoint_wal
from verhalenbank.extensions import db
from verhalenbank.rondes import operations
from verhalenbank.verhalen.operations import after_erase, purge_erased


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
@click.option("--onderwerp", "onderwerpen", multiple=True, metavar="SUBDOEL=WOORDEN",
              help="The topic chip for a subdoel in residents' words, e.g. SP1='Mensen ontmoeten'. "
                   "Repeat for each subdoel; a ronde opens only when every one has words.")
@with_appcontext
def add(slug, titel, doelenbomen, vraag, wijken, start, eind, gesloten, onderwerpen) -> None:
    """Create a ronde with its public form at /r/SLUG."""
    labels = _labels(onderwerpen)
    gegevens = operations.RondeGegevens(
        slug=slug, titel=titel, vraag=vraag or operations.STANDAARD_VRAAG, wijken=list(wijken),
        doelenboom_codes=list(doelenbomen), start_datum=start, eind_datum=eind, is_open=not gesloten,
    )
    nieuw = operations.create_ronde(gegevens)
    if labels:
        operations.zet_onderwerp_labels(nieuw.slug, labels)
    ontbreekt = operations.onderwerpen_zonder_woorden(nieuw) if operations.houd_dicht_tot_woorden(nieuw) else []
    is_open = nieuw.is_open
    db.session.commit()
    click.echo(f"Ronde {slug} aangemaakt ({'open' if is_open else 'gesloten'}); formulier: /r/{slug}")
    if ontbreekt:
        click.echo(
            "It stays closed until every topic on its form is in residents' words. Missing: "
            + ", ".join(f"{k.code} ({k.titel})" for k in ontbreekt)
            + f". Give them on the ronde's page (/rondes/{slug}/zelfduiding) or with "
            f"--onderwerp SUBDOEL=WOORDEN, then: verhalenbank ronde open {slug}",
            err=True,
        )


def _labels(onderwerpen: tuple[str, ...]) -> dict[str, str]:
    labels = {}
    for optie in onderwerpen:
        code, _, woorden = optie.partition("=")
        if not code.strip() or not woorden.strip():
            raise click.BadParameter(f"'{optie}': use SUBDOEL=WOORDEN", param_hint="--onderwerp")
        labels[code.strip()] = woorden.strip()
    return labels


@ronde.command("open")
@click.argument("slug")
@with_appcontext
def open_command(slug: str) -> None:
    """Open a ronde's public form (refused while a topic is in policy words)."""
    gevonden = operations.find_ronde(slug)
    if gevonden is None:
        raise click.ClickException(f"ronde '{slug}' does not exist")
    try:
        operations.set_ronde_open(gevonden, True)
    except Gebruikersfout as fout:
        db.session.rollback()
        raise click.ClickException(fout.bericht) from None
    db.session.commit()
    click.echo(f"Ronde {slug} is open; formulier: /r/{slug}")


# --- retention: `verhalenbank opschonen` (a top-level command, listed in verhalenbank/cli.py) ----


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
    resultaat = operations.opschonen(dry_run=dry_run)
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
            f"({_termijn(resultaat.herkomst[slug], 'shortened')}; for {operations.WACHTTIJD_DAGEN} days after a shorter term "
            f"{meanwhile}; undo the change to keep them)"
        )
    click.echo(f"Total: {resultaat.totaal} {'story' if resultaat.totaal == 1 else 'stories'} {werkwoord}.")
    if not dry_run:
        # Also what was erased earlier by hand or by a resident: search only hides it until now.
        segmenten = purge_erased()
        click.echo(f"Search index: {segmenten} segment(s) rewritten without erased stories.")
        checkpoint_wal(db.engine)  # also what earlier erasures left in the WAL if a reader blocked it
