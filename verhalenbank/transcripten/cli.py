"""`verhalenbank transcript import FILE [--ronde] [--aanbieder] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from verhalenbank.extensions import db


@click.group()
def transcript() -> None:
    """Transcripts of telling sessions (.txt .docx .pdf .vtt .srt)."""


@transcript.command("import")
@click.argument("bestand", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ronde", "ronde_slug", help="Put the stories in this ronde (slug).")
@click.option("--aanbieder", help="Name of the providing organisation (created if new).")
@click.option("--gespreksleider", help="Facilitator name(s), comma separated; their turns become context.")
@click.option("--activiteit", help="The activity the session was about.")
@click.option("--datum", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date of the session (YYYY-MM-DD).")
@click.option("--wijk", help="Place or wijk of the session.")
@click.option("--toestemming", is_flag=True, help="The participants consented to storing and using their stories.")
@click.option("--citeren", is_flag=True, help="The participants agreed to be quoted.")
@click.option("--dry-run", is_flag=True, help="Only print the proposed split; store nothing.")
@with_appcontext
def import_command(
    bestand: Path, ronde_slug: str | None, aanbieder: str | None, gespreksleider: str | None,
    activiteit: str | None, datum, wijk: str | None, toestemming: bool, citeren: bool, dry_run: bool,
) -> None:
    """Split a transcript into stories and store them (without the review step of the web app)."""
    from verhalenbank.accounts.operations import get_or_create_organisatie
    from verhalenbank.rondes.operations import get_ronde
    from verhalenbank.transcripten import operations
    from verhalenbank.transcripten.bewerken import beschrijf
    from verhalenbank.transcripten.readers import lees_pad
    from verhalenbank.transcripten.splitter import stel_voor

    if not bestand.is_file():
        raise click.ClickException(f"{bestand}: file not found")
    if dry_run:
        gelezen = lees_pad(bestand)
        voorstel = stel_voor(gelezen, gespreksleiders=operations.gespreksleider_namen(gespreksleider))
        click.echo(beschrijf(voorstel, naam=bestand.name))
        return

    invoer = operations.TranscriptInvoer(
        ronde=get_ronde(ronde_slug) if ronde_slug else None,
        organisatie=get_or_create_organisatie(aanbieder) if aanbieder else None,
        activiteit=activiteit,
        datum=datum.date() if datum else None,
        wijk=wijk,
        gespreksleider=gespreksleider,
        toestemming_bevestigd=toestemming,
        citeren=citeren,
    )
    try:
        transcript_, verhalen = operations.importeer_transcript(bestand, invoer)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    from verhalenbank.verhalen.verwerking import verwerk_verhalen

    verwerk_verhalen([verhaal.id for verhaal in verhalen])
    if transcript_.melding:
        click.echo(f"Let op: {transcript_.melding}", err=True)
    click.echo(f"{bestand.name}: {len(verhalen)} verhalen opgeslagen (transcript {transcript_.id}).")
