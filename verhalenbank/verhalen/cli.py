from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from verhalenbank.accounts.operations import log_audit
from verhalenbank.extensions import db
from verhalenbank.nlp.operations import analysis_failures_note
from verhalenbank.verhalen.exchange import export_jsonl, import_jsonl
from verhalenbank.verhalen.models import Verhaal
from verhalenbank.verhalen.verwerking import verwerk_verhalen


@click.group()
def verhalen() -> None:
    """Import and export stories (JSON Lines exchange format)."""


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


@verhalen.command("import")
@click.argument("bestand", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ronde", "ronde_slug", help="Put every story in this ronde (created if it doesn't exist).")
@with_appcontext
def import_command(bestand: Path, ronde_slug: str | None) -> None:
    """Import stories; lines whose id is already stored are skipped."""
    if not bestand.is_file():
        raise click.ClickException(f"{bestand}: file not found")
    try:
        handle = bestand.open(encoding="utf-8-sig")
        handle.readline()
        handle.seek(0)
    except UnicodeDecodeError:
        raise click.ClickException(f"{bestand.name}: not UTF-8 text") from None

    progress = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        progress = tqdm(total=_count_lines(bestand), unit="regel", file=sys.stderr, desc=bestand.name)

    def na_batch(ids: list[int]) -> None:
        db.session.commit()  # stored before anything else may fail
        verwerk_verhalen(ids)

    with handle:
        rapport = import_jsonl(
            handle, ronde_slug=ronde_slug, na_batch=na_batch,
            voortgang=(lambda _n: progress.update(1)) if progress else None,
        )
    note = analysis_failures_note()  # e.g. no spaCy model: say so instead of failing silently
    db.session.commit()
    if progress:
        progress.close()
    for slug in rapport.nieuwe_rondes:
        click.echo(f"Nieuwe ronde aangemaakt: {slug} (open, gekoppeld aan alle doelenbomen)")
    for nummer, reden in rapport.geweigerd:
        click.echo(f"{bestand.name}, regel {nummer}: {reden}", err=True)
    click.echo(rapport.samenvatting)
    if note:
        click.echo(note, err=True)
    if rapport.geweigerd:
        raise SystemExit(1)


@verhalen.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@click.option("--ronde", "ronde_slug", help="Only stories of this ronde.")
@with_appcontext
def export_command(out: Path | None, ronde_slug: str | None) -> None:
    """Export stories with tekst_publiek and visible tags."""
    from verhalenbank.rondes.operations import get_ronde

    query = select(Verhaal).order_by(Verhaal.id)
    if ronde_slug:
        query = query.where(Verhaal.ronde_id == get_ronde(ronde_slug).id)
    verhalen_ = db.session.scalars(query).yield_per(500)
    target = out.open("w", encoding="utf-8") if out else sys.stdout
    aantal = 0
    try:
        for regel in export_jsonl(verhalen_):
            target.write(regel)
            aantal += 1
    finally:
        if out:
            target.close()
    log_audit(None, "verhalen_geexporteerd", details={"aantal": aantal, "ronde": ronde_slug, "via": "cli"})
    db.session.commit()
    if out:
        click.echo(f"{aantal} verhalen geschreven naar {out}")
