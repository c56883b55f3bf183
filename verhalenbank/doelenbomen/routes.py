"""Trees: list, tree drawing, import/export, create and edit in the browser."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import Recht, vereist
from verhalenbank.core import limits
from verhalenbank.core.errors import Gebruikersfout
from verhalenbank.core.jobs import run_now_if_synchronous
from verhalenbank.doelenbomen import operations
from verhalenbank.doelenbomen.exchange import DoelenboomSpec, parse_doelenboom, spec_from_model, validate_spec
from verhalenbank.doelenbomen.forms import BevestigForm, ImportForm, spec_from_editor
from verhalenbank.extensions import db
from verhalenbank.verhalen.verwerking import plan_boomwijziging

bp = Blueprint("doelenbomen", __name__, url_prefix="/doelenbomen")

LEGE_RIJEN_SUBDOELEN = 2
LEGE_RIJEN_INDICATOREN = 2


def _opslaan(spec: DoelenboomSpec, actie: AuditActie, **audit):
    """Save the tree, log `actie`, commit and retag the stories against it (a job)."""
    boom, nieuw = operations.save_doelenboom(spec, door=current_user)
    log_audit(current_user, actie, object_type="doelenboom", object_id=boom.code, **audit)
    plan_boomwijziging([boom.id])  # retag stories against the new or changed tree (a job)
    db.session.commit()
    run_now_if_synchronous()
    return boom, nieuw


def _boom_of_404(code: str):
    try:
        return operations.get_doelenboom(code)
    except Gebruikersfout:
        abort(404)


@bp.get("/")
@vereist(Recht.VERHALEN_LEZEN)
def lijst():
    return render_template(
        "doelenbomen/lijst.html", bomen=operations.list_doelenbomen(), import_form=ImportForm(), fout=None
    )


@bp.post("/importeren")
@vereist(Recht.BOMEN_BEHEREN)
def importeren():
    form = ImportForm()
    fout = None
    if form.validate_on_submit():
        upload = form.bestand.data
        naam = Path(upload.filename or "doelenboom.yaml").name
        ruw = upload.read(limits.MAX_YAML_BYTES + 1)
        try:
            limits.check_yaml_grootte(len(ruw), naam)
            tekst = ruw.decode("utf-8-sig")
        except Gebruikersfout as exc:
            fout = exc.bericht
        except UnicodeDecodeError:
            fout = f"{naam}: het bestand is geen UTF-8-tekst."
        else:
            try:
                boom, nieuw = _opslaan(parse_doelenboom(tekst, naam), AuditActie.DOELENBOOM_GEIMPORTEERD)
            except Gebruikersfout as exc:
                db.session.rollback()
                fout = exc.bericht
            else:
                flash(f"Doelenboom '{boom.titel}' is {'toegevoegd' if nieuw else 'bijgewerkt'}.")
                return redirect(url_for("doelenbomen.detail", code=boom.code))
    else:
        fout = "; ".join(form.bestand.errors) or "Kies een bestand."
    return render_template(
        "doelenbomen/lijst.html", bomen=operations.list_doelenbomen(), import_form=form, fout=fout
    ), 400


@bp.get("/<code>")
@vereist(Recht.VERHALEN_LEZEN)
def detail(code: str):
    boom = _boom_of_404(code)
    return render_template("doelenbomen/detail.html", boom=boom)


@bp.get("/<code>.yaml")
@vereist(Recht.VERHALEN_LEZEN)
def exporteren(code: str):
    boom = _boom_of_404(code)
    return Response(
        operations.export_doelenboom(boom),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{boom.code}.yaml"'},
    )


def _editor(spec: DoelenboomSpec, *, nieuw: bool, fouten: list[str] | None = None, bevestig: int | None = None, status=200):
    return render_template(
        "doelenbomen/bewerken.html", spec=spec, nieuw=nieuw, fouten=fouten or [], bevestig=bevestig,
        form=BevestigForm(), lege_subdoelen=LEGE_RIJEN_SUBDOELEN, lege_indicatoren=LEGE_RIJEN_INDICATOREN,
    ), status


@bp.route("/nieuw", methods=["GET", "POST"])
@vereist(Recht.BOMEN_BEHEREN)
def nieuw():
    if request.method == "GET":
        return _editor(DoelenboomSpec(code="", titel="", hoofddoel=""), nieuw=True)
    if not BevestigForm().validate_on_submit():
        abort(400)
    spec = spec_from_editor(request.form, (request.form.get("code") or "").strip())
    try:
        validate_spec(spec)
        if operations.find_doelenboom(spec.code) is not None:
            raise Gebruikersfout(f"Er is al een doelenboom met code '{spec.code}'.")
        boom, _ = _opslaan(spec, AuditActie.DOELENBOOM_GEMAAKT)
    except Gebruikersfout as exc:
        db.session.rollback()
        return _editor(spec, nieuw=True, fouten=exc.details or [exc.bericht], status=400)
    flash("De doelenboom is opgeslagen.")
    return redirect(url_for("doelenbomen.detail", code=boom.code))


@bp.route("/<code>/bewerken", methods=["GET", "POST"])
@vereist(Recht.BOMEN_BEHEREN)
def bewerken(code: str):
    boom = _boom_of_404(code)
    if request.method == "GET":
        return _editor(spec_from_model(boom), nieuw=False)
    if not BevestigForm().validate_on_submit():
        abort(400)
    spec = spec_from_editor(request.form, boom.code)
    try:
        validate_spec(spec)
    except Gebruikersfout as exc:
        return _editor(spec, nieuw=False, fouten=exc.details or [exc.bericht], status=400)
    verlies = operations.tags_lost_by(boom, spec)
    if verlies and request.form.get("bevestigd") != str(verlies):
        # Removing subdoelen that have tags deletes those tags: ask first, saying how many.
        return _editor(spec, nieuw=False, bevestig=verlies)
    _opslaan(spec, AuditActie.DOELENBOOM_GEWIJZIGD, details={"tags_verwijderd": verlies})
    flash("De wijzigingen zijn opgeslagen." + (f" {verlies} labels zijn verwijderd." if verlies else ""))
    return redirect(url_for("doelenbomen.detail", code=boom.code))
