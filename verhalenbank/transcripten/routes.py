"""Transcript pages: list, upload, progress, review (works without JavaScript), original file, erase."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.forms import LegeForm
from verhalenbank.accounts.models import Organisatie, Rol
from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import Recht, vereist
from verhalenbank.core.errors import Gebruikersfout, NietGevonden
from verhalenbank.core.forms import keuzes
from verhalenbank.core.jobs import run_now_if_synchronous
from verhalenbank.extensions import db
from verhalenbank.rondes.models import Ronde
from verhalenbank.transcripten import operations
from verhalenbank.transcripten.forms import UploadForm, WisTranscriptForm
from verhalenbank.transcripten.models import TranscriptStatus
from verhalenbank.transcripten.readers import MAX_BESTANDSGROOTTE, TranscriptLeesfout
from verhalenbank.transcripten.splitter import ROL_LABELS, ROLLEN, Voorstel
from verhalenbank.transcripten.toestemming import uit_keuze
from verhalenbank.verhalen.verwerking import plan_verwerking

bp = Blueprint("transcripten", __name__, url_prefix="/transcripten")


def _transcript_of_404(transcript_id: int):
    try:
        return operations.get_transcript_voor(current_user, transcript_id)
    except NietGevonden:
        abort(404)


def _vul_keuzes(form: UploadForm) -> None:
    rondes = db.session.scalars(select(Ronde).order_by(Ronde.titel)).all()
    form.ronde.choices = keuzes([("", "Geen ronde")] + [(ronde.slug, ronde.titel) for ronde in rondes])
    if current_user.rol == Rol.AANBIEDER.value:
        organisatie = current_user.organisatie
        form.organisatie.choices = keuzes([(str(organisatie.id), organisatie.naam)] if organisatie else [])
    else:
        organisaties = db.session.scalars(select(Organisatie).order_by(Organisatie.naam)).all()
        form.organisatie.choices = keuzes([("", "Geen organisatie")] + [(str(o.id), o.naam) for o in organisaties])


@bp.get("/")
@vereist(Recht.TRANSCRIPTEN)
def lijst():
    return render_template(
        "transcripten/lijst.html", transcripten=operations.lijst_transcripten(current_user), Status=TranscriptStatus
    )


@bp.route("/nieuw", methods=["GET", "POST"])
@vereist(Recht.TRANSCRIPTEN)
def nieuw():
    try:
        form = UploadForm()
    except RequestEntityTooLarge:
        # Larger than the app accepts at all: the same message as for 20-25 MB, next to the field.
        form = UploadForm(formdata=None)
        _vul_keuzes(form)
        form.bestand.errors = [
            f"Het bestand is te groot. Een transcript mag hoogstens {MAX_BESTANDSGROOTTE // (1024 * 1024)} MB zijn."
        ]
        return render_template(
            "transcripten/nieuw.html", form=form, max_mb=MAX_BESTANDSGROOTTE // (1024 * 1024)
        ), 413
    _vul_keuzes(form)
    if request.method == "GET" and request.args.get("ronde"):
        form.ronde.data = request.args["ronde"]
    if form.validate_on_submit():
        bestand = form.bestand.data
        inhoud = bestand.read(MAX_BESTANDSGROOTTE + 1)
        organisatie = db.session.get(Organisatie, int(form.organisatie.data)) if form.organisatie.data else None
        ronde = db.session.scalar(select(Ronde).where(Ronde.slug == form.ronde.data)) if form.ronde.data else None
        invoer = operations.TranscriptInvoer(
            ronde=ronde,
            organisatie=organisatie,
            activiteit=form.activiteit.data,
            datum=form.datum.data,
            wijk=form.wijk.data,
            gespreksleider=form.gespreksleider.data,
            toestemming_bevestigd=bool(form.toestemming.data),
            citeren=bool(form.citeren.data),
        )
        try:
            transcript = operations.upload_transcript(inhoud, bestand.filename or "", invoer, door=current_user)
        except TranscriptLeesfout as fout:
            db.session.rollback()
            form.bestand.errors = [fout.bericht]
        except Gebruikersfout as fout:
            db.session.rollback()
            form.organisatie.errors = [fout.bericht]
        else:
            transcript_id = transcript.id
            db.session.commit()  # with the job that reads a large file (a worker takes it)
            run_now_if_synchronous()
            return redirect(url_for("transcripten.detail", transcript_id=transcript_id))
    status = 400 if request.method == "POST" else 200
    return render_template("transcripten/nieuw.html", form=form, max_mb=MAX_BESTANDSGROOTTE // (1024 * 1024)), status


def _render_detail(transcript, *, voorstel: Voorstel | None = None, fout: str | None = None, status: int = 200):
    if voorstel is None and transcript.status == TranscriptStatus.TE_BEOORDELEN and transcript.voorstel:
        voorstel = Voorstel.from_dict(transcript.voorstel)
    verhalen = operations.verhalen_van(transcript) if transcript.status == TranscriptStatus.OPGESLAGEN else []
    return render_template(
        "transcripten/detail.html",
        transcript=transcript,
        voorstel=voorstel,
        fout=fout,
        verhalen=verhalen,
        Status=TranscriptStatus,
        rollen=ROLLEN,
        rol_labels=ROL_LABELS,
        actie_form=LegeForm(),
        wis_form=WisTranscriptForm(),
    ), status


@bp.get("/<int:transcript_id>")
@vereist(Recht.TRANSCRIPTEN)
def detail(transcript_id: int):
    transcript = _transcript_of_404(transcript_id)
    return _render_detail(transcript)


@bp.get("/<int:transcript_id>/status")
@vereist(Recht.TRANSCRIPTEN)
def status(transcript_id: int):
    transcript = _transcript_of_404(transcript_id)
    return jsonify(status=transcript.status, voortgang=transcript.voortgang, fout=transcript.fout)


@bp.post("/<int:transcript_id>")
@vereist(Recht.TRANSCRIPTEN)
def bewerken(transcript_id: int):
    transcript = _transcript_of_404(transcript_id)
    if not LegeForm().validate_on_submit():
        abort(400)
    actie = request.form.get("actie", "bewaren")
    teksten = request.form.getlist("tekst")
    toestemming, sprekers_toestemming = _toestemming_uit_formulier()
    try:
        if actie == "rollen":
            operations.bewerk_voorstel(
                transcript, "bewaren", teksten if "tekst" in request.form else None,
                toestemming=toestemming, sprekers_toestemming=sprekers_toestemming,
            )
            sprekers = request.form.getlist("spreker")
            rollen = request.form.getlist("rol")
            operations.pas_rollen_toe(transcript, dict(zip(sprekers, rollen)))
            db.session.commit()
            flash("De rollen zijn toegepast en het voorstel is opnieuw gemaakt.")
            return redirect(url_for("transcripten.detail", transcript_id=transcript.id))
        splits_op = request.form.get("splits_op", type=int)
        operations.bewerk_voorstel(
            transcript, actie, teksten, splits_op=splits_op,
            toestemming=toestemming, sprekers_toestemming=sprekers_toestemming,
        )
        db.session.commit()  # the edits are kept even if saving is refused below
        if actie == "opslaan":
            verhalen = operations.sla_verhalen_op(transcript, door=current_user)
            ids = [verhaal.id for verhaal in verhalen]
            plan_verwerking(ids)
            db.session.commit()  # the stories with their analysis jobs
            run_now_if_synchronous()
            flash(f"{len(ids)} verhalen opgeslagen.")
            return redirect(url_for("transcripten.detail", transcript_id=transcript.id))
        db.session.commit()
    except Gebruikersfout as fout:
        db.session.rollback()
        return _render_detail(transcript, fout=fout.bericht, status=400)
    naam, _, index = actie.partition(":")
    anker = f"#passage-{index}" if naam in ("samenvoegen", "splitsen") and index.isdigit() else ""
    return redirect(url_for("transcripten.detail", transcript_id=transcript.id) + anker)


def _toestemming_uit_formulier():
    """Consent per story and per speaker as posted by the review form (None: not posted)."""
    per_passage = None
    if "toestemming" in request.form or "citeren" in request.form:
        per_passage = list(zip(
            (uit_keuze(w) for w in request.form.getlist("toestemming")),
            (uit_keuze(w) for w in request.form.getlist("citeren")),
        ))
    sprekers = request.form.getlist("spreker")
    t = request.form.getlist("spreker_toestemming")
    c = request.form.getlist("spreker_citeren")
    per_spreker = None
    if sprekers and len(sprekers) == len(t) == len(c):
        per_spreker = {s: (uit_keuze(a), uit_keuze(b)) for s, a, b in zip(sprekers, t, c)}
    return per_passage, per_spreker


@bp.get("/<int:transcript_id>/bestand")
@vereist(Recht.TRANSCRIPTEN)
def bestand(transcript_id: int):
    transcript = _transcript_of_404(transcript_id)
    pad = operations.bestand_pad(transcript)
    if pad is None or not pad.is_file():
        abort(404)
    log_audit(current_user, AuditActie.TRANSCRIPT_BESTAND_BEKEKEN, object_type="transcript", object_id=transcript.id)
    db.session.commit()
    response = send_file(pad, as_attachment=True, download_name=transcript.origineel_naam)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:transcript_id>/wissen")
@vereist(Recht.TRANSCRIPTEN)
def wissen(transcript_id: int):
    transcript = _transcript_of_404(transcript_id)
    form = WisTranscriptForm()
    if not form.validate_on_submit():
        abort(400)
    naam = transcript.origineel_naam
    operations.wis_transcript(transcript, door=current_user, reden=form.reden.data or None)
    db.session.commit()
    flash(f"Transcript ‘{naam}’ en het originele bestand zijn gewist.")
    return redirect(url_for("transcripten.lijst"))
