"""`verhalenbank zoek` (search as the web app does) and `verhalenbank reindex`."""

from __future__ import annotations

import json
import re

import click
from flask.cli import with_appcontext
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from verhalenbank.core.errors import Ongeldig
from verhalenbank.extensions import db
from verhalenbank.zoeken import operations
from verhalenbank.zoeken.parameters import opdracht_uit_parameters


def _qualify(kind: str, codes: tuple[str, ...]) -> list[str]:
    """'LW1' -> every tree's 'boom:LW1'; 'boom:LW1' stays. Unknown codes are a user error."""
    from verhalenbank.doelenbomen.models import Doelenboom, Indicator, Subdoel

    qualified: list[str] = []
    for code in codes:
        if ":" in code:
            qualified.append(code)
            continue
        if kind == "subdoel":
            rows = db.session.execute(
                select(Doelenboom.code).join(Subdoel, Subdoel.doelenboom_id == Doelenboom.id).where(Subdoel.code == code)
            ).scalars().all()
        else:
            rows = db.session.execute(
                select(Doelenboom.code)
                .join(Subdoel, Subdoel.doelenboom_id == Doelenboom.id)
                .join(Indicator, Indicator.subdoel_id == Subdoel.id)
                .where(Indicator.code == code)
            ).scalars().all()
        if not rows:
            raise Ongeldig(f"unknown {kind} code: {code}")
        qualified.extend(f"{tree}:{code}" for tree in rows)
    return qualified


def _plain(fragment: Markup) -> str:
    """The snippet for a terminal: hits in [brackets], HTML unescaped."""
    text = re.sub(r"</?mark>", lambda match: "[" if match.group() == "<mark>" else "]", str(fragment))
    return Markup(text).unescape()


@click.command("zoek")
@click.argument("query", required=False, default="")
@click.option("--boom", multiple=True, help="Doelenboom code; repeatable.")
@click.option("--subdoel", multiple=True, help="Subdoel code (LW1, or doelenboom:LW1); repeatable.")
@click.option("--indicator", multiple=True, help="Indicator code (LW1.2, or doelenboom:LW1.2); repeatable.")
@click.option("--ronde", multiple=True, help="Ronde slug; repeatable.")
@click.option("--wijk", multiple=True, help="Wijk; repeatable.")
@click.option("--bron", multiple=True, help="Bron (inwoner, mantelzorger, ...); repeatable.")
@click.option("--aanbieder", multiple=True, help="Aanbieder (organisation slug); repeatable.")
@click.option("--gevoel", multiple=True, type=click.IntRange(1, 5), help="Teller's own feeling 1-5; repeatable.")
@click.option("--tags", type=click.Choice(["alle", "bevestigd", "voorgesteld"]), default="alle", show_default=True)
@click.option("--van", help="From date, YYYY-MM-DD.")
@click.option("--tot", help="Until date (inclusive), YYYY-MM-DD.")
@click.option("--sort", type=click.Choice(["relevantie", "datum", "datum_oud"]), default="relevantie", show_default=True)
@click.option("--pagina", type=int, default=1, show_default=True)
@click.option("--per-pagina", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_appcontext
def zoek(query, boom, subdoel, indicator, ronde, wijk, bron, aanbieder, gevoel, tags, van, tot, sort, pagina,
         per_pagina, as_json) -> None:
    """Search the stories as the web app's /zoeken does (same query syntax and filters)."""
    params = MultiDict(
        [("q", query), ("tags", tags), ("sort", sort), ("pagina", str(pagina))]
        + [("subdoel", code) for code in _qualify("subdoel", subdoel)]
        + [("indicator", code) for code in _qualify("indicator", indicator)]
        + [("boom", value) for value in boom]
        + [("ronde", value) for value in ronde]
        + [("wijk", value) for value in wijk]
        + [("bron", value) for value in bron]
        + [("aanbieder", value) for value in aanbieder]
        + [("gevoel", str(value)) for value in gevoel]
        + ([("van", van)] if van else [])
        + ([("tot", tot)] if tot else [])
    )
    opdracht = opdracht_uit_parameters(params, per_pagina=per_pagina, subdoelen_van=operations.subdoel_codes)
    result = operations.get_backend().search(opdracht)

    from verhalenbank.verhalen.models import Verhaal

    verhalen = {
        verhaal.id: verhaal
        for verhaal in db.session.scalars(select(Verhaal).where(Verhaal.id.in_(result.ids)))
    }
    hits = [
        {
            "id": hit.id,
            "extern_id": verhalen[hit.id].extern_id if hit.id in verhalen else None,
            "titel": (verhalen[hit.id].titel_publiek if hit.id in verhalen else None) or f"Verhaal {hit.id}",
            "score": round(hit.score, 4),
            "fragment": str(hit.fragment),
        }
        for hit in result.treffers
    ]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "totaal": result.totaal,
                    "pagina": result.pagina,
                    "per_pagina": result.per_pagina,
                    "treffers": hits,
                    "facetten": result.facetten,
                    "verbeteringen": result.verbeteringen,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo(f"{result.totaal} verhalen (pagina {result.pagina} van {result.aantal_paginas})")
    for hit, treffer in zip(hits, result.treffers):
        click.echo(f"\n#{hit['id']} {hit['titel']}  (score {hit['score']})")
        click.echo(f"  {_plain(treffer.fragment)}")


@click.command("reindex")
@click.option("--processen", type=click.IntRange(min=1), default=None,
              help="Processes that build a Whoosh index (default: the cores, at most 4).")
@with_appcontext
def reindex(processen: int | None) -> None:
    """Rebuild the search index from the database."""
    count = operations.reindex_all(processes=processen)
    click.echo(f"Indexed {count} stories ({operations.get_backend().naam}).")
