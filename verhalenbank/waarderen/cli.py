"""`verhalenbank waarderen …`: sessions, chosen stories, letters, rondes side by side."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app, render_template
from flask.cli import with_appcontext

from verhalenbank.accounts.audit import WAARDERINGSSESSIE_EXPORT as EXPORT_ACTIE
from verhalenbank.accounts.audit import AuditActie
from verhalenbank.core.errors import NietGevonden, Ongeldig


def _html_of_pdf(uit: Path, template: str, **context) -> None:
    from verhalenbank.pakketten.weergave import CSS_PAD, html_naar_pdf

    soort = uit.suffix.lower()
    if soort not in (".html", ".pdf"):
        raise Ongeldig(f"--out must end in .html or .pdf, not '{uit.name}'")
    if not uit.parent.exists():
        raise Ongeldig(f"folder {uit.parent} does not exist")
    html = render_template(template, css_href=CSS_PAD.as_uri(), **context)
    if soort == ".pdf":
        uit.write_bytes(html_naar_pdf(html))
    else:
        uit.write_text(html, encoding="utf-8")


@click.group("waarderen")
def waarderen() -> None:
    """Waarderingssessies: what panels chose, letters to tellers, rondes side by side."""


@waarderen.command("lijst")
@with_appcontext
def lijst() -> None:
    """List the sessions."""
    from verhalenbank.waarderen import operations

    for sessie in operations.list_sessies():
        click.echo(f"{sessie.id}\t{sessie.code}\t{sessie.status}\t{sessie.ronde.slug}\t{sessie.titel}")


@waarderen.command("export")
@click.argument("ronde_slug", metavar="RONDE")
@click.option("--out", "uit", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help=".csv or .qdpx: the stories panels chose, the reasons as memos.")
@with_appcontext
def export(ronde_slug: str, uit: Path) -> None:
    from verhalenbank.accounts.operations import log_audit
    from verhalenbank.extensions import db
    from verhalenbank.rondes.operations import find_ronde
    from verhalenbank.waarderen import operations

    soort = uit.suffix.lower().lstrip(".")
    if soort not in ("csv", "qdpx"):
        raise Ongeldig(f"--out must end in .csv or .qdpx, not '{uit.name}'")
    ronde = find_ronde(ronde_slug)
    if ronde is None:
        raise NietGevonden(f"ronde '{ronde_slug}' does not exist")
    uit.write_bytes(operations.gekozen_export(ronde, soort))
    log_audit(None, EXPORT_ACTIE[soort], object_type="ronde", object_id=ronde.id)
    db.session.commit()
    click.echo(f"{uit}: chosen stories of {ronde.slug}")


@waarderen.command("brieven")
@click.argument("sessie_id", type=int)
@click.option("--out", "uit", required=True, type=click.Path(dir_okay=False, path_type=Path), help=".html or .pdf")
@with_appcontext
def brieven(sessie_id: int, uit: Path) -> None:
    """Letters for the tellers of the chosen stories who agreed to hear back about their story."""
    from verhalenbank.accounts.operations import log_audit
    from verhalenbank.extensions import db
    from verhalenbank.waarderen import operations

    sessie = operations.get_sessie(sessie_id)
    lijst_ = operations.brieven(sessie)
    with current_app.test_request_context():
        _html_of_pdf(uit, "waarderen/brieven.html", sessie=sessie, brieven=lijst_, pdf=True, zonder_bericht=0)
    log_audit(None, AuditActie.WAARDERINGSSESSIE_BRIEVEN, object_type="waarderingssessie", object_id=sessie.id,
              details={"brieven": len(lijst_)})
    db.session.commit()
    click.echo(f"{uit}: {len(lijst_)} letters")


@waarderen.command("vergelijk")
@click.argument("boom")
@click.argument("rondes", nargs=-1, required=True)
@click.option("--out", "uit", required=True, type=click.Path(dir_okay=False, path_type=Path), help=".html or .pdf")
@with_appcontext
def vergelijk(boom: str, rondes: tuple[str, ...], uit: Path) -> None:
    """A tree's rondes side by side: counts per subdoel, what changed, stories that show it."""
    from verhalenbank.waarderen import vergelijken

    uitkomst = vergelijken.vergelijk(boom, list(rondes))
    with current_app.test_request_context():
        _html_of_pdf(uit, "waarderen/vergelijken.html", v=uitkomst, los=True, pdf_args="")
    click.echo(f"{uit}: {len(uitkomst.rondes)} rondes, {len(uitkomst.subdoelen)} subdoelen")
