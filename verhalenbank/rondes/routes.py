"""Ronde management: list, create, edit, open/close, and a ronde's stories."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.forms import LegeForm
from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import Recht, vereist, zichtbaar_voor
from verhalenbank.core import limits
from verhalenbank.core.errors import Gebruikersfout
from verhalenbank.core.forms import keuzes
from verhalenbank.doelenbomen.operations import list_doelenbomen
from verhalenbank.extensions import db
from verhalenbank.rondes import operations
from verhalenbank.rondes.forms import RondeForm
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen.models import Verhaal
from verhalenbank.verhalen.operations import door_panel_gekozen

bp = Blueprint("rondes", __name__, url_prefix="/rondes")
PER_PAGINA = 25


def _ronde_of_404(slug: str) -> Ronde:
    ronde = operations.find_ronde(slug)
    if ronde is None:
        abort(404)
    return ronde


def _form(ronde: Ronde | None = None) -> RondeForm:
    form = RondeForm(obj=ronde) if ronde is not None and request.method == "GET" else RondeForm()
    form.doelenbomen.choices = keuzes((b.code, b.titel) for b in list_doelenbomen())
    if request.method == "GET":
        if ronde is not None:
            form.doelenbomen.data = [b.code for b in ronde.doelenbomen]
            form.wijken.data = "\n".join(ronde.wijken or [])
        else:
            form.is_open.data = True
            form.vraag.data = operations.STANDAARD_VRAAG
    return form


def _gegevens(form: RondeForm, slug: str) -> operations.RondeGegevens:
    return operations.RondeGegevens(
        slug=slug, titel=form.titel.data, vraag=form.vraag.data, beschrijving=form.beschrijving.data or None,
        start_datum=form.start_datum.data, eind_datum=form.eind_datum.data, is_open=form.is_open.data,
        wijken=(form.wijken.data or "").splitlines(), doelenboom_codes=form.doelenbomen.data or [],
        bewaartermijn_maanden=form.bewaartermijn_maanden.data,
    )


@bp.get("/")
@vereist(Recht.RONDES_BEHEREN)
def lijst():
    aantallen = dict(db.session.execute(select(Verhaal.ronde_id, func.count(Verhaal.id)).group_by(Verhaal.ronde_id)).all())
    return render_template("rondes/lijst.html", rondes=operations.list_rondes(), aantallen=aantallen)


@bp.route("/nieuw", methods=["GET", "POST"])
@vereist(Recht.RONDES_BEHEREN)
def nieuw():
    form = _form()
    if form.validate_on_submit():
        try:
            ronde = operations.create_ronde(_gegevens(form, form.slug.data), door=current_user)
            log_audit(current_user, AuditActie.RONDE_GEMAAKT, object_type="ronde", object_id=ronde.slug)
            dicht_tot_woorden = operations.houd_dicht_tot_woorden(ronde)
            db.session.commit()
        except Gebruikersfout as exc:
            db.session.rollback()
            getattr(form, exc.veld or "titel", form.titel).errors.append(exc.bericht)
        else:
            if dicht_tot_woorden:
                flash("De ronde is aangemaakt, maar nog dicht. Geef eerst de onderwerpen gewone woorden; "
                      "hieronder staat een voorstel. Open de ronde daarna op de pagina van de ronde.")
                return redirect(url_for("rondes.zelfduiding", slug=ronde.slug))
            flash("De ronde is aangemaakt.")
            return redirect(url_for("rondes.detail", slug=ronde.slug))
    return render_template("rondes/bewerken.html", form=form, ronde=None), (400 if form.errors else 200)


@bp.route("/<slug>/bewerken", methods=["GET", "POST"])
@vereist(Recht.RONDES_BEHEREN)
def bewerken(slug: str):
    ronde = _ronde_of_404(slug)
    form = _form(ronde)
    form.slug.data = ronde.slug
    bevestigen = None
    if form.validate_on_submit():
        try:
            operations.update_ronde(
                ronde, _gegevens(form, ronde.slug), door=current_user,
                bevestigd_aantal=_int_of_none(form.bevestig_wissen.data),
            )
            db.session.commit()
        except operations.WissenBevestigen as exc:
            db.session.rollback()
            # Ask once more, saying how many stories will go; the same form posted again confirms.
            bevestigen = exc.bericht
            form.bevestig_wissen.data = str(exc.aantal)
        except Gebruikersfout as exc:
            db.session.rollback()
            getattr(form, exc.veld or "titel", form.titel).errors.append(exc.bericht)
        else:
            flash("De ronde is opgeslagen.")
            return redirect(url_for("rondes.detail", slug=ronde.slug))
    status = 400 if form.errors else (409 if bevestigen else 200)
    return render_template("rondes/bewerken.html", form=form, ronde=ronde, bevestigen=bevestigen), status


def _int_of_none(waarde: str | None) -> int | None:
    return int(waarde) if waarde and waarde.isdigit() and len(waarde) < 10 else None


@bp.post("/<slug>/open")
@vereist(Recht.RONDES_BEHEREN)
def open_sluiten(slug: str):
    ronde = _ronde_of_404(slug)
    if not LegeForm().validate_on_submit():
        abort(400)
    try:
        operations.set_ronde_open(ronde, request.form.get("open") == "1")
    except Gebruikersfout as fout:
        db.session.rollback()
        flash(fout.bericht)
        return redirect(url_for("rondes.zelfduiding", slug=ronde.slug))
    db.session.commit()
    flash("De ronde is nu " + ("open." if ronde.is_open else "gesloten."))
    return redirect(url_for("rondes.detail", slug=ronde.slug))


@bp.get("/<slug>")
@vereist(Recht.VERHALEN_LEZEN)
def detail(slug: str):
    ronde = _ronde_of_404(slug)
    pagina = limits.pagina(request.args.get("pagina"))
    query = select(Verhaal).where(Verhaal.ronde_id == ronde.id, zichtbaar_voor(current_user, Verhaal.organisatie_id))
    totaal = db.session.scalar(select(func.count()).select_from(query.subquery()))
    verhalen = db.session.scalars(
        query.order_by(Verhaal.created_at.desc(), Verhaal.id.desc()).offset((pagina - 1) * PER_PAGINA).limit(PER_PAGINA)
    ).all()
    return render_template(
        "rondes/detail.html", ronde=ronde, verhalen=verhalen, totaal=totaal, pagina=pagina,
        per_pagina=PER_PAGINA, actie_form=LegeForm(), zonder_woorden=operations.onderwerpen_zonder_woorden(ronde),
        gekozen=door_panel_gekozen([v.id for v in verhalen]),
    )


# ---- Issue 4: the resident-facing side of a ronde: QR code, poster, flyer, one-tap questions ----

from flask import Response  # noqa: E402

from verhalenbank.rondes import poster as poster_module  # noqa: E402
from verhalenbank.rondes import zelfduiding as zelfduiding_module  # noqa: E402
from verhalenbank.rondes.forms import ZelfduidingForm  # noqa: E402


def _public_url(ronde: Ronde) -> str:
    return url_for("publiek.formulier", slug=ronde.slug, _external=True)


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/<slug>/qr.<formaat>")
@vereist(Recht.RONDES_BEHEREN)
def qr_code(slug: str, formaat: str):
    ronde = _ronde_of_404(slug)
    if formaat == "png":
        return _download(poster_module.qr_png(_public_url(ronde)), "image/png", f"qr-{ronde.slug}.png")
    if formaat == "svg":
        return _download(poster_module.qr_svg(_public_url(ronde)), "image/svg+xml", f"qr-{ronde.slug}.svg")
    abort(404)


@bp.get("/<slug>/<soort>.<formaat>")
@vereist(Recht.RONDES_BEHEREN)
def poster(slug: str, soort: str, formaat: str):
    ronde = _ronde_of_404(slug)
    papier = {"poster-a4": poster_module.A4, "flyer-a6": poster_module.A6}.get(soort)
    if papier is None or formaat not in ("pdf", "png"):
        abort(404)
    maak = poster_module.poster_pdf if formaat == "pdf" else poster_module.poster_png
    inhoud = maak(ronde.vraag, _public_url(ronde), papier, titel=ronde.titel)
    return _download(inhoud, "application/pdf" if formaat == "pdf" else "image/png", f"{soort}-{ronde.slug}.{formaat}")


def _zelfduiding_form_from_config(form: ZelfduidingForm, config: dict, voorstellen: list) -> None:
    per_soort = {}
    eigen = None
    for vraag in config.get("vragen", []):
        if vraag["code"] in ("gevoel", "onderwerp", "wie"):
            per_soort[vraag["code"]] = vraag
        elif eigen is None:
            eigen = vraag
    standaard = {v["code"]: v for v in zelfduiding_module.STANDAARD_CONFIG["vragen"]}
    for code in ("gevoel", "onderwerp", "wie"):
        getattr(form, f"{code}_aan").data = code in per_soort
        getattr(form, f"{code}_vraag").data = per_soort.get(code, standaard[code])["vraag"]
    labels = dict(per_soort.get("onderwerp", {}).get("labels") or {})
    # Subdoelen without residents' words get a suggestion from their title, for the organiser to edit.
    for keuze in voorstellen:
        labels.setdefault(keuze.code, zelfduiding_module.voorstel_label(keuze.titel))
    form.onderwerp_labels.data = "\n".join(f"{code} = {woorden}" for code, woorden in labels.items())
    form.wie_opties.data = "\n".join(per_soort.get("wie", standaard["wie"]).get("opties", []))
    if eigen:
        form.extra_vraag.data = eigen["vraag"]
        form.extra_opties.data = "\n".join(eigen.get("opties", []))
        form.extra_meer.data = eigen["soort"] == zelfduiding_module.SOORT_KEUZES


def _config_from_form(form: ZelfduidingForm) -> dict:
    standaard = {v["code"]: v for v in zelfduiding_module.STANDAARD_CONFIG["vragen"]}
    vragen = []
    if form.gevoel_aan.data:
        vragen.append({"code": "gevoel", "vraag": form.gevoel_vraag.data or standaard["gevoel"]["vraag"], "soort": "gezicht"})
    if form.onderwerp_aan.data:
        vraag = {"code": "onderwerp", "vraag": form.onderwerp_vraag.data or standaard["onderwerp"]["vraag"], "soort": "onderwerp"}
        labels = zelfduiding_module.parse_labels(form.onderwerp_labels.data or "")
        if labels:
            vraag["labels"] = labels
        vragen.append(vraag)
    if form.wie_aan.data:
        vragen.append({"code": "wie", "vraag": form.wie_vraag.data or standaard["wie"]["vraag"], "soort": "keuzes",
                       "opties": (form.wie_opties.data or "").splitlines()})
    if (form.extra_vraag.data or "").strip():
        vragen.append({"code": "eigen", "vraag": form.extra_vraag.data, "soort": "keuzes" if form.extra_meer.data else "keuze",
                       "opties": (form.extra_opties.data or "").splitlines()})
    return zelfduiding_module.validate_config({"vragen": vragen})


@bp.route("/<slug>/zelfduiding", methods=["GET", "POST"])
@vereist(Recht.RONDES_BEHEREN)
def zelfduiding(slug: str):
    ronde = _ronde_of_404(slug)
    form = ZelfduidingForm()
    if request.method == "GET":
        _zelfduiding_form_from_config(
            form, zelfduiding_module.config_of(ronde.zelfduiding), operations.onderwerpen_zonder_woorden(ronde)
        )
    elif form.validate_on_submit():
        try:
            ronde.zelfduiding = _config_from_form(form)
            log_audit(current_user, AuditActie.RONDE_ZELFDUIDING_GEWIJZIGD, object_type="ronde", object_id=ronde.slug)
            db.session.commit()
        except Gebruikersfout as exc:
            db.session.rollback()
            getattr(form, exc.veld if exc.veld and hasattr(form, exc.veld) else "extra_vraag").errors.append(exc.bericht)
        else:
            flash("De vragen voor vertellers zijn opgeslagen.")
            return redirect(url_for("rondes.detail", slug=ronde.slug))
    return render_template(
        "publiek/zelfduiding_beheer.html", ronde=ronde, form=form,
        zonder_woorden=operations.onderwerpen_zonder_woorden(ronde),
    ), (400 if form.errors else 200)
