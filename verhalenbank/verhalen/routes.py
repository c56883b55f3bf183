"""Story list and story page; original text only with a reason (audited); erasure; the AVG
export of everything stored about one story (its own blueprint `avg`: /avg/verhalen/<id>.json)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.core.forms import Formulier

from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import Recht, heeft_recht, vereist
from verhalenbank.core import limits
from verhalenbank.extensions import db
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen import operations
from verhalenbank.verhalen.models import BRON_LABELS, Verhaal

bp = Blueprint("verhalen", __name__, url_prefix="/verhalen")
avg_bp = Blueprint("avg", __name__)

PER_PAGINA = 25


class RedenForm(Formulier):
    reden = StringField(
        "Waarom wilt u de originele tekst zien?",
        validators=[DataRequired("Geef een reden op."), Length(min=5, max=500, message="Geef een reden van minstens 5 tekens.")],
    )


class ToestemmingForm(Formulier):
    toestemming = BooleanField("Het verhaal mag bewaard en gebruikt worden")
    citeren = BooleanField("Het verhaal mag letterlijk geciteerd worden")
    reden = StringField(
        "Reden", validators=[DataRequired("Geef een reden op."), Length(max=500)],
        description="Bijvoorbeeld: de verteller belde op 3 juni.",
    )


class WisForm(Formulier):
    reden = TextAreaField(
        "Reden voor wissen", validators=[DataRequired("Geef een reden op."), Length(max=1000)]
    )


def get_zichtbaar_verhaal(verhaal_id: int) -> Verhaal:
    # 404, not 403: don't confirm that another organisation's story exists
    return operations.zichtbaar_verhaal(verhaal_id, current_user) or abort(404)


@bp.get("/")
@vereist(Recht.VERHALEN_LEZEN)
def lijst():
    pagina = limits.pagina(request.args.get("pagina"))
    ronde_slug = request.args.get("ronde") or None
    bron = request.args.get("bron") or None
    query = operations.zichtbare_verhalen(current_user)
    if ronde_slug:
        query = query.join(Ronde, Verhaal.ronde_id == Ronde.id).where(Ronde.slug == ronde_slug)
    if bron:
        query = query.where(Verhaal.bron == bron)
    totaal = db.session.scalar(select(func.count()).select_from(query.subquery()))
    verhalen_ = db.session.scalars(
        query.order_by(Verhaal.created_at.desc(), Verhaal.id.desc()).offset((pagina - 1) * PER_PAGINA).limit(PER_PAGINA)
    ).all()
    rondes = db.session.scalars(select(Ronde).order_by(Ronde.titel)).all()
    return render_template(
        "verhalen/lijst.html", verhalen=verhalen_, totaal=totaal, pagina=pagina, per_pagina=PER_PAGINA,
        rondes=rondes, ronde_slug=ronde_slug, bron=bron, bronnen=BRON_LABELS,
        gekozen=operations.door_panel_gekozen([v.id for v in verhalen_]),
    )


def _terugkoppeling(verhaal: Verhaal) -> bool | None:
    """Whether the teller wants to hear back about the story; None when there are no contact
    details or the user may not see them."""
    contact = verhaal.contactgegevens
    if contact is None or not heeft_recht(current_user, Recht.CONTACTGEGEVENS_ZIEN):
        return None
    return bool(contact.terugkoppeling)


@bp.get("/<int:verhaal_id>")
@vereist(Recht.VERHALEN_LEZEN)
def detail(verhaal_id: int):
    verhaal = get_zichtbaar_verhaal(verhaal_id)
    return render_template(
        "verhalen/detail.html", verhaal=verhaal, tags=operations.visible_tags(verhaal),
        reden_form=RedenForm(), wis_form=WisForm(), origineel=None,
        toestemming_form=ToestemmingForm(toestemming=verhaal.toestemming, citeren=verhaal.citeren),
        terugkoppeling=_terugkoppeling(verhaal),
    )


@bp.post("/<int:verhaal_id>/toestemming")
@vereist(Recht.TOESTEMMING_WIJZIGEN)
def toestemming(verhaal_id: int):
    verhaal = get_zichtbaar_verhaal(verhaal_id)
    form = ToestemmingForm()
    if not form.validate_on_submit():
        flash("Geef een reden op om de toestemming te wijzigen.")
        return redirect(url_for("verhalen.detail", verhaal_id=verhaal.id))
    veranderd = operations.wijzig_toestemming(
        verhaal, toestemming=bool(form.toestemming.data), citeren=bool(form.citeren.data),
        door=current_user, reden=form.reden.data,
    )
    db.session.commit()
    flash("De toestemming is aangepast." if veranderd else "Er is niets veranderd.")
    return redirect(url_for("verhalen.detail", verhaal_id=verhaal.id))


@bp.post("/<int:verhaal_id>/origineel")
@vereist(Recht.ORIGINELE_TEKST_ZIEN)
def origineel(verhaal_id: int):
    verhaal = get_zichtbaar_verhaal(verhaal_id)
    form = RedenForm()
    if not form.validate_on_submit():
        return render_template(
            "verhalen/detail.html", verhaal=verhaal, tags=operations.visible_tags(verhaal),
            reden_form=form, wis_form=WisForm(), origineel=None,
            toestemming_form=ToestemmingForm(toestemming=verhaal.toestemming, citeren=verhaal.citeren),
        terugkoppeling=_terugkoppeling(verhaal),
        ), 400
    log_audit(current_user, AuditActie.ORIGINELE_TEKST_BEKEKEN, object_type="verhaal", object_id=verhaal.id, reden=form.reden.data)
    db.session.commit()
    contact = verhaal.contactgegevens if heeft_recht(current_user, Recht.CONTACTGEGEVENS_ZIEN) else None
    if contact is not None:
        log_audit(current_user, AuditActie.CONTACTGEGEVENS_BEKEKEN, object_type="verhaal", object_id=verhaal.id, reden=form.reden.data)
        db.session.commit()
    response = render_template(
        "verhalen/detail.html", verhaal=verhaal, tags=operations.visible_tags(verhaal),
        reden_form=form, wis_form=WisForm(), origineel=verhaal.tekst, contact=contact,
        toestemming_form=ToestemmingForm(toestemming=verhaal.toestemming, citeren=verhaal.citeren),
        terugkoppeling=_terugkoppeling(verhaal),
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/<int:verhaal_id>/wissen")
@vereist(Recht.VERWIJDEREN)
def wissen(verhaal_id: int):
    verhaal = get_zichtbaar_verhaal(verhaal_id)
    form = WisForm()
    if not form.validate_on_submit():
        flash("Geef een reden op om het verhaal te wissen.")
        return redirect(url_for("verhalen.detail", verhaal_id=verhaal.id))
    ids = [verhaal.id]
    operations.erase_verhaal(verhaal, door=current_user, reden=form.reden.data)
    db.session.commit()
    operations.after_erase(ids)
    flash("Het verhaal en alles wat erbij hoort is gewist.")
    return redirect(url_for("verhalen.lijst"))


# --- AVG: everything stored about one story -------------------------------------------------


@avg_bp.get("/avg/verhalen/<int:verhaal_id>.json")
@vereist(Recht.AVG_INZAGE)
def avg_export(verhaal_id: int):
    verhaal = db.session.get(Verhaal, verhaal_id) or abort(404)
    gegevens = operations.avg_inzage(verhaal, door=current_user)
    db.session.commit()
    return Response(
        json.dumps(gegevens, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="verhaal-{verhaal.id}-gegevens.json"',
            "Cache-Control": "no-store",
        },
    )
