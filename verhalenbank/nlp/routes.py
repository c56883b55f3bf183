"""Review queue ("Beoordelen") and the tagger quality page ("Hoe goed is de tagger")."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from verhalenbank.core import limits
from verhalenbank.core.forms import Formulier
from sqlalchemy import select

from verhalenbank.accounts.permissions import Recht, vereist
from verhalenbank.core.errors import Gebruikersfout
from verhalenbank.doelenbomen.models import Doelenboom, Subdoel
from verhalenbank.extensions import db
from verhalenbank.nlp import operations
from verhalenbank.nlp.models import TaggerModel
from verhalenbank.verhalen import operations as verhalen_operations
from verhalenbank.verhalen.models import Tag, Verhaal
from verhalenbank.zoeken.operations import index_after_commit, index_all_after_commit

bp = Blueprint("nlp", __name__)


class LegeForm(Formulier):
    """Only the CSRF token; the decision comes from the button that was pressed."""


def _safe_next(default: str) -> str:
    target = request.form.get("volgende") or request.args.get("volgende") or ""
    # Only local paths: never redirect to another site.
    return target if target.startswith("/") and not target.startswith("//") else default


@bp.app_template_global("subdoelen_om_toe_te_voegen")
def subdoelen_om_toe_te_voegen(verhaal: Verhaal) -> list[Subdoel]:
    """For the 'add another subdoel' control on the story page (templates/nlp/_tag_knoppen.html)."""
    return operations.addable_subdoelen(verhaal)


@bp.get("/beoordelen")
@vereist(Recht.TAGS_BEOORDELEN)
def beoordelen():
    bomen = list(db.session.scalars(select(Doelenboom).order_by(Doelenboom.titel)))
    boom_id = limits.id_param(request.args.get("boom"))
    wachtrij = [t for t in operations.review_queue(boom_id, limit=21) if t.verhaal.tekst_publiek]
    huidig = wachtrij[0] if wachtrij else None
    andere_subdoelen = []
    if huidig is not None:
        al = {t.subdoel_id for t in huidig.verhaal.tags if not t.afgewezen}
        andere_subdoelen = [s for s in huidig.subdoel.doelenboom.subdoelen if s.id not in al]
    return render_template(
        "nlp/beoordelen.html",
        bomen=bomen,
        boom_id=boom_id,
        huidig=huidig,
        volgende=wachtrij[1:],
        andere_subdoelen=andere_subdoelen,
        form=LegeForm(),
    )


def _commit_and_learn(boom_id: int, verhaal_id: int) -> None:
    """Commit a review decision with a job that lets the tree's suggestions learn from it
    (within seconds, on the worker), then refresh the story's search entry."""
    from verhalenbank.core.jobs import run_now_if_synchronous
    from verhalenbank.verhalen.verwerking import plan_leren

    plan_leren([boom_id])
    db.session.commit()
    index_after_commit([verhaal_id])  # search counts follow the decision at once
    run_now_if_synchronous()


@bp.post("/beoordelen/label/<int:tag_id>")
@vereist(Recht.TAGS_BEOORDELEN)
def besluit(tag_id: int):
    form = LegeForm()
    if not form.validate_on_submit():
        abort(400)
    tag = db.session.get(Tag, tag_id)
    if tag is None:
        abort(404)
    keuze = request.form.get("besluit")
    if keuze not in ("bevestigen", "afwijzen"):
        abort(400)
    verhalen_operations.review_tag(tag, bevestigd=keuze == "bevestigen", door=current_user)
    _commit_and_learn(tag.subdoel.doelenboom_id, tag.verhaal_id)
    flash(
        f"Label {tag.subdoel.code} {'bevestigd' if keuze == 'bevestigen' else 'afgewezen'}.", "succes"
    )
    return redirect(_safe_next(url_for("nlp.beoordelen", boom=request.form.get("boom") or None)))


@bp.post("/beoordelen/verhaal/<int:verhaal_id>/toevoegen")
@vereist(Recht.TAGS_BEOORDELEN)
def toevoegen(verhaal_id: int):
    form = LegeForm()
    if not form.validate_on_submit():
        abort(400)
    verhaal = db.session.get(Verhaal, verhaal_id)
    subdoel = db.session.get(Subdoel, limits.id_param(request.form.get("subdoel")) or 0)
    if verhaal is None:
        abort(404)
    if subdoel is None:
        flash("Kies een subdoel.", "fout")
    else:
        from verhalenbank.verhalen.operations import add_tag

        try:
            add_tag(verhaal, subdoel, door=current_user)
            code = subdoel.code
            _commit_and_learn(subdoel.doelenboom_id, verhaal.id)
            flash(f"Label {code} toegevoegd.", "succes")
        except Gebruikersfout as exc:
            db.session.rollback()
            flash(exc.bericht, "fout")
    return redirect(_safe_next(url_for("nlp.beoordelen")))


@bp.get("/tagger")
@vereist(Recht.ZOEKEN)
def tagger_overzicht():
    bomen = list(db.session.scalars(select(Doelenboom).order_by(Doelenboom.titel)))
    modellen = {m.doelenboom_id: m for m in db.session.scalars(select(TaggerModel))}
    return render_template("nlp/tagger_overzicht.html", bomen=bomen, modellen=modellen)


@bp.get("/tagger/<int:boom_id>")
@vereist(Recht.ZOEKEN)
def kwaliteit(boom_id: int):
    boom = db.session.get(Doelenboom, boom_id)
    if boom is None:
        abort(404)
    model = db.session.scalar(select(TaggerModel).where(TaggerModel.doelenboom_id == boom.id))
    cijfers = {row["code"]: row for row in ((model.gegevens or {}).get("cv", []) if model else [])}
    beoordelingen = {row["code"]: row for row in operations.live_agreement(boom)}
    bevestigd = {
        s.id: db.session.query(Tag).filter(Tag.subdoel_id == s.id, Tag.bevestigd == True).count()  # noqa: E712
        for s in boom.subdoelen
    }
    from verhalenbank.nlp.leercurve import leercurve
    from verhalenbank.waarderen.operations import gekozen_per_subdoel

    return render_template(
        "nlp/kwaliteit.html", boom=boom, model=model, cijfers=cijfers, beoordelingen=beoordelingen,
        bevestigd=bevestigd, form=LegeForm(), gekozen_door_panel=gekozen_per_subdoel(list(boom.subdoelen)),
        curve=leercurve(boom.subdoelen, bevestigd, model.gegevens if model else None),
    )


@bp.post("/tagger/<int:boom_id>/trainen")
@vereist(Recht.TAGS_BEOORDELEN)
def trainen(boom_id: int):
    form = LegeForm()
    if not form.validate_on_submit():
        abort(400)
    boom = db.session.get(Doelenboom, boom_id)
    if boom is None:
        abort(404)
    resultaat = operations.train_doelenboom(boom)
    if resultaat.melding:
        flash(f"Niet getraind: {resultaat.melding}.", "fout")
    else:
        operations.retag_doelenboom(boom)
        flash(f"De tagger heeft geleerd van {resultaat.voorbeelden} beoordeelde verhalen.", "succes")
    db.session.commit()
    if not resultaat.melding:
        index_all_after_commit()  # retagging changed suggestions across the tree
    return redirect(url_for("nlp.kwaliteit", boom_id=boom.id))
