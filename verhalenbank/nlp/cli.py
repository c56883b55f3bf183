"""`verhalenbank analyse [--opnieuw]` and `verhalenbank train [--boom CODE]`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from verhalenbank.core.errors import Gebruikersfout, NietGevonden
from verhalenbank.doelenbomen.models import Doelenboom
from verhalenbank.extensions import db


def _require_model() -> None:
    from flask import current_app

    from verhalenbank.nlp.pipeline import SpacyModelUnavailable, check_model_available

    try:
        check_model_available(current_app.config["VERHALENBANK"].spacy_model)
    except SpacyModelUnavailable as exc:
        raise Gebruikersfout(str(exc)) from None


@click.command("analyse")
@click.option("--opnieuw", is_flag=True, help="Analyse every story again, not only the waiting ones.")
@with_appcontext
def analyse(opnieuw: bool) -> None:
    """Analyse stories: public text without names, lemmas, keywords, suggested tags."""
    from verhalenbank.nlp.operations import analyse_verhalen

    _require_model()
    rapport = analyse_verhalen(opnieuw=opnieuw)
    db.session.commit()
    _reindex_quietly()
    click.echo(
        f"{rapport.geanalyseerd} analysed, {rapport.mislukt} failed, {rapport.suggesties} suggested tags stored."
    )
    for verhaal_id, reden in rapport.fouten:
        click.echo(f"  verhaal {verhaal_id}: {reden}", err=True)
    if rapport.mislukt:
        raise click.exceptions.Exit(1)


def _reindex_quietly() -> None:
    """Public text and tags changed: refresh the search index if the search domain offers it."""
    try:
        from verhalenbank.zoeken.operations import index_after_commit
        from verhalenbank.verhalen.models import AnalyseStatus, Verhaal

        ids = list(db.session.scalars(select(Verhaal.id).where(Verhaal.analyse_status == AnalyseStatus.GEANALYSEERD)))
        index_after_commit(ids)
    except Exception:  # noqa: BLE001 - `verhalenbank reindex` repairs drift
        pass


@click.command("train")
@click.option("--boom", "boom_code", help="Only this doelenboom (code); default: all.")
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds for the figures.")
@with_appcontext
def train(boom_code: str | None, folds: int) -> None:
    """Learn from confirmed tags per doelenboom; prints per-subdoel figures from cross-validation."""
    from verhalenbank.nlp.operations import retag_doelenboom, train_doelenboom

    _require_model()
    query = select(Doelenboom).order_by(Doelenboom.code)
    if boom_code:
        query = query.where(Doelenboom.code == boom_code)
    bomen = list(db.session.scalars(query))
    if boom_code and not bomen:
        raise NietGevonden(f"No doelenboom with code '{boom_code}'.")
    if not bomen:
        raise Gebruikersfout("No doelenbomen yet: import one with `verhalenbank doelenboom import`.")
    trained = 0
    for boom in bomen:
        resultaat = train_doelenboom(boom, folds=folds)
        if resultaat.melding:
            click.echo(f"{boom.code}: not trained ({resultaat.voorbeelden} judged stories: {resultaat.melding})")
            continue
        trained += 1
        click.echo(f"{boom.code}: trained on {resultaat.voorbeelden} judged stories ({folds}-fold cross-validation)")
        click.echo(f"  {'subdoel':<10} {'examples':>8} {'precision':>9} {'recall':>7} {'F1':>6} {'kappa':>6} {'threshold':>9}")
        for f in resultaat.figures:
            click.echo(
                f"  {f.code:<10} {f.voorbeelden:>8} {f.precision:>9.2f} {f.recall:>7.2f} {f.f1:>6.2f} {f.kappa:>6.2f} {f.drempel:>9.2f}"
            )
        retagged = retag_doelenboom(boom)
        click.echo(f"  retagged: {retagged} suggestions stored")
    db.session.commit()
    _reindex_quietly()
    if trained == 0:
        raise click.exceptions.Exit(1)
