from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from verhalenbank.doelenbomen import operations
from verhalenbank.extensions import db
from verhalenbank.verhalen import verwerking


@click.group()
def doelenboom() -> None:
    """Import and export doelenbomen (YAML exchange format)."""


@doelenboom.command("import")
@click.argument("bestanden", nargs=-1, required=True, type=click.Path(path_type=Path))
@with_appcontext
def import_command(bestanden: tuple[Path, ...]) -> None:
    """Import one or more trees; an existing code is updated in place. All or nothing."""
    for pad in bestanden:
        if not pad.is_file():
            raise click.ClickException(f"{pad}: file not found")
    resultaten = operations.import_doelenboom_files(list(bestanden))
    db.session.commit()
    for boom, nieuw in resultaten:
        indicatoren = sum(len(s.indicatoren) for s in boom.subdoelen)
        click.echo(
            f"{'Nieuw' if nieuw else 'Bijgewerkt'}: {boom.code} ({len(boom.subdoelen)} subdoelen, {indicatoren} indicatoren)"
        )
    # Retag the stories against the new trees, one committed batch at a time, so the public
    # form and every other writer wait at most one batch for the database (issue 16).
    aantal = verwerking.verwerk_boomwijziging([boom.id for boom, _ in resultaten])
    click.echo(f"Retagged {aantal} {'story' if aantal == 1 else 'stories'} (batches of {verwerking.RETAG_BATCH}).")


@doelenboom.command("export")
@click.argument("code")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@with_appcontext
def export_command(code: str, out: Path | None) -> None:
    """Write a tree in the exchange format."""
    yaml_text = operations.export_doelenboom(operations.get_doelenboom(code))
    if out:
        out.write_text(yaml_text, encoding="utf-8")
    else:
        click.echo(yaml_text, nl=False)
