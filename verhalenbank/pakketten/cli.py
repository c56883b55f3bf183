"""`verhalenbank pakket RONDE --out FILE.pdf|FILE.html|FILE.qdpx|FILE.csv`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from verhalenbank.core.errors import NietGevonden, Ongeldig
from verhalenbank.pakketten import operations, qdpx, weergave
from verhalenbank.rondes.operations import find_ronde

SOORTEN = (".pdf", ".html", ".qdpx", ".csv")


@click.command("pakket")
@click.argument("ronde_slug", metavar="RONDE")
@click.option("--out", "uit", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file: .pdf or .html (the pack), .qdpx or .csv (research exports).")
@click.option("--doelenboom", help="Only this tree (code).")
@click.option("--wijk", help="Only stories from this wijk.")
@click.option("--aanbieder", help="Only stories of this aanbieder (name or slug).")
@click.option("--pakket", "pakket_id", type=int,
              help="Use the curation of this saved pack. Default: the latest pack saved in the browser "
                   "for this ronde (with the same narrowing when --doelenboom/--wijk/--aanbieder are given).")
@click.option("--met-voorstellen", is_flag=True,
              help="Also stories whose subdoel the tagger only suggested (marked 'niet bevestigd'). "
                   "Default: confirmed tags only.")
@click.option("--samenvatting", is_flag=True, help="Only the one-page summary for participants.")
@with_appcontext
def pakket(ronde_slug, uit, doelenboom, wijk, aanbieder, pakket_id, met_voorstellen, samenvatting) -> None:
    """Write the na-waarderen feedback pack of a ronde (with the facilitator's saved choices)."""
    soort = uit.suffix.lower()
    if soort not in SOORTEN:
        raise Ongeldig(f"--out must end in one of {', '.join(SOORTEN)}, not '{uit.name}'")
    if not uit.parent.exists():
        raise Ongeldig(f"folder {uit.parent} does not exist")
    ronde = find_ronde(ronde_slug)
    if ronde is None:
        raise NietGevonden(f"ronde '{ronde_slug}' does not exist")
    if pakket_id is not None:
        opgeslagen = operations.get_pakket(pakket_id)
        if opgeslagen.ronde_id != ronde.id:
            raise Ongeldig(f"pack {pakket_id} belongs to another ronde")
        vernauwing = operations.vernauwing_van_pakket(opgeslagen)
    elif not (doelenboom or wijk or aanbieder):
        # No narrowing asked for: the pack the facilitator last saved in the browser, as saved.
        bestaande = operations.list_pakketten(ronde)
        opgeslagen = bestaande[0] if bestaande else None
        vernauwing = (operations.vernauwing_van_pakket(opgeslagen) if opgeslagen is not None
                      else operations.vernauwing_van())
    else:
        vernauwing = operations.vernauwing_van(doelenboom, wijk, aanbieder)
        if vernauwing.doelenboom is not None and vernauwing.doelenboom not in ronde.doelenbomen:
            raise Ongeldig(f"tree '{doelenboom}' is not linked to ronde '{ronde_slug}'")
        opgeslagen = operations.find_latest_pakket(ronde, vernauwing)
    keuzes = opgeslagen.keuzes if opgeslagen is not None else None
    invoer, inhoud = operations.build_inhoud_voor_ronde(ronde, vernauwing, keuzes, met_voorstellen)

    template = "pakketten/samenvatting.html" if samenvatting else "pakketten/print.html"
    if soort == ".pdf":
        uit.write_bytes(weergave.render_pdf(
            inhoud, foto_map=current_app.config["VERHALENBANK"].photo_dir,
            env=current_app.jinja_env, template=template,
        ))
    elif soort == ".html":
        # A standalone file: the stylesheet is inlined so it prints anywhere.
        photo_dir = current_app.config["VERHALENBANK"].photo_dir
        html = weergave.render_html(
            inhoud, None, lambda foto: (photo_dir / foto.bron).as_uri(),
            env=current_app.jinja_env, template=template, zelfstandig=True,
        )
        uit.write_text(html, encoding="utf-8")
    elif soort == ".qdpx":
        uit.write_bytes(qdpx.maak_qdpx(invoer.ronde_slug, invoer.ronde_titel, invoer.doelenbomen,
                                       operations.exporteerbare_verhalen(invoer)))
    else:
        uit.write_text(qdpx.maak_csv(invoer.doelenbomen, operations.exporteerbare_verhalen(invoer)),
                       encoding="utf-8")
    bron = f"pack {opgeslagen.id} (saved choices)" if opgeslagen is not None else "no saved choices"
    click.echo(f"{uit}: {len(invoer.verhalen)} stories, {bron}")
