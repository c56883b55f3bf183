"""Login, logout, user management and the audit log."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from verhalenbank.accounts.audit import AuditActie, actie_label
from verhalenbank.accounts import operations
from verhalenbank.accounts.forms import ApiTokenForm, GebruikerForm, InlogForm, LegeForm, WachtwoordWijzigenForm
from verhalenbank.accounts.models import AuditLog, Gebruiker
from verhalenbank.accounts.permissions import MATRIX, OMSCHRIJVING, Recht, publiek, vereist
from verhalenbank.core import limits
from verhalenbank.core.errors import Gebruikersfout, NietGevonden
from verhalenbank.extensions import db, login_manager

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.inloggen"
login_manager.login_message = "Log in om deze pagina te zien."


API_PREFIX = "/api/v1/"


def _bearer(req) -> str | None:
    header = req.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None


@login_manager.user_loader
def load_user(sessie_id: str) -> Gebruiker | None:
    if request.path.startswith(API_PREFIX) and _bearer(request) is not None:
        # A request that brings a token is judged by that token alone, not by a browser session.
        return None
    # The id carries the user's session secret: a session from before a logout, password change
    # or reset no longer matches and is no session at all.
    return operations.gebruiker_voor_sessie(sessie_id)


@login_manager.request_loader
def load_user_from_token(req) -> Gebruiker | None:
    token = _bearer(req)
    if token is None or not req.path.startswith(API_PREFIX):
        # Tokens are for the API only: on every other page a token opens nothing.
        return None
    record = operations.find_api_token(token)
    if record is None:
        return None
    g.api_token = record  # the API refuses writes with a read-only token
    return record.gebruiker


def _veilige_volgende(doel: str | None) -> str:
    # Only same-site paths: an attacker's ?next=https://… must not redirect off-site, and a
    # CR/LF or other control character must not reach the Location header (it was a 500).
    if (
        doel
        and doel.startswith("/")
        and not doel.startswith("//")
        and doel.isprintable()
        and "\\" not in doel
        and urlsplit(doel).netloc == ""
    ):
        return doel
    return url_for("start.home")


@bp.route("/inloggen", methods=["GET", "POST"])
@publiek
def inloggen():
    form = InlogForm()
    fout = None
    if form.validate_on_submit():
        try:
            gebruiker = operations.authenticate(form.email.data, form.wachtwoord.data, request.remote_addr)
        except Gebruikersfout as exc:
            db.session.commit()  # keep the failed attempt for throttling
            fout = exc.bericht
        else:
            db.session.commit()
            login_user(gebruiker)
            return redirect(_veilige_volgende(request.args.get("next")))
    return render_template("accounts/inloggen.html", form=form, fout=fout), (400 if fout else 200)


@bp.post("/uitloggen")
@vereist(Recht.INGELOGD)
def uitloggen():
    # Ending the session secret logs this user out everywhere and voids copied cookies.
    operations.end_sessies(current_user)
    operations.log_audit(current_user, AuditActie.UITGELOGD, object_type="gebruiker", object_id=current_user.id)
    db.session.commit()
    logout_user()
    flash("U bent uitgelogd.")
    return redirect(url_for("start.home"))


@bp.route("/gebruikers", methods=["GET", "POST"])
@vereist(Recht.GEBRUIKERS_BEHEREN)
def gebruikers():
    form = GebruikerForm()
    nieuw_wachtwoord = None
    if form.validate_on_submit():
        try:
            organisatie = (
                operations.get_or_create_organisatie(form.organisatie.data) if form.organisatie.data else None
            )
            nieuw_wachtwoord = operations.generate_wachtwoord()
            gebruiker = operations.create_gebruiker(
                form.email.data, form.rol.data, naam=form.naam.data or "",
                wachtwoord=nieuw_wachtwoord, organisatie=organisatie,
            )
            operations.log_audit(current_user, AuditActie.GEBRUIKER_AANGEMAAKT, object_type="gebruiker", object_id=gebruiker.id)
            db.session.commit()
            flash(f"Gebruiker {gebruiker.email} is aangemaakt.")
        except Gebruikersfout as exc:
            db.session.rollback()
            nieuw_wachtwoord = None
            getattr(form, exc.veld or "email").errors.append(exc.bericht)
    lijst = db.session.scalars(select(Gebruiker).order_by(Gebruiker.email)).all()
    return render_template(
        "accounts/gebruikers.html", form=form, gebruikers=lijst, nieuw_wachtwoord=nieuw_wachtwoord,
        actie_form=LegeForm(), matrix=MATRIX, omschrijving=OMSCHRIJVING,
    )


@bp.post("/gebruikers/<int:gebruiker_id>/wachtwoord")
@vereist(Recht.GEBRUIKERS_BEHEREN)
def wachtwoord_herstellen(gebruiker_id: int):
    gebruiker = db.session.get(Gebruiker, gebruiker_id) or abort(404)
    if not LegeForm().validate_on_submit():
        abort(400)
    wachtwoord = operations.generate_wachtwoord()
    operations.set_wachtwoord(gebruiker, wachtwoord)
    operations.log_audit(current_user, AuditActie.WACHTWOORD_HERSTELD, object_type="gebruiker", object_id=gebruiker.id)
    db.session.commit()
    lijst = db.session.scalars(select(Gebruiker).order_by(Gebruiker.email)).all()
    flash(f"Nieuw wachtwoord voor {gebruiker.email}. Geef het veilig door; het wordt maar één keer getoond.")
    return render_template(
        "accounts/gebruikers.html", form=GebruikerForm(formdata=None), gebruikers=lijst,
        nieuw_wachtwoord=wachtwoord, actie_form=LegeForm(), matrix=MATRIX, omschrijving=OMSCHRIJVING,
    )


@bp.post("/gebruikers/<int:gebruiker_id>/actief")
@vereist(Recht.GEBRUIKERS_BEHEREN)
def actief_wisselen(gebruiker_id: int):
    gebruiker = db.session.get(Gebruiker, gebruiker_id) or abort(404)
    if not LegeForm().validate_on_submit():
        abort(400)
    if gebruiker.id == current_user.id:
        flash("U kunt uw eigen account niet uitzetten.")
    else:
        gebruiker.actief = not gebruiker.actief
        operations.log_audit(
            current_user, AuditActie.GEBRUIKER_ACTIEF if gebruiker.actief else AuditActie.GEBRUIKER_UITGEZET,
            object_type="gebruiker", object_id=gebruiker.id,
        )
        db.session.commit()
    return redirect(url_for("accounts.gebruikers"))


@bp.get("/logboek")
@vereist(Recht.AUDIT_BEKIJKEN)
def logboek():
    pagina = limits.pagina(request.args.get("pagina"))
    per_pagina = 100
    filters = {k: v for k in ("actie", "object_type", "object_id") if (v := (request.args.get(k) or "").strip())}
    query = select(AuditLog)
    for kolom, waarde in filters.items():
        query = query.where(getattr(AuditLog, kolom) == waarde)
    regels = db.session.scalars(
        query.order_by(AuditLog.tijdstip.desc(), AuditLog.id.desc()).offset((pagina - 1) * per_pagina).limit(per_pagina + 1)
    ).all()
    acties = db.session.scalars(select(AuditLog.actie).distinct().order_by(AuditLog.actie)).all()
    return render_template(
        "accounts/logboek.html", regels=regels[:per_pagina], pagina=pagina, meer=len(regels) > per_pagina,
        filters=filters, acties=acties, actie_label=actie_label,
    )


# --- Background jobs ---------------------------------------------------------------------


def _taak_regel(job, kinds) -> dict:
    kind = kinds.get(job.kind)
    over = ", ".join(f"{sleutel}: {waarde}" for sleutel, waarde in sorted((job.payload or {}).items()))
    return {
        "id": job.id,
        "soort": kind.label if kind is not None and kind.label else job.kind,
        "over": over if len(over) <= 80 else over[:79] + "…",
        "pogingen": job.attempts,
        "max_pogingen": job.max_attempts,
        "reden": job.error,
        "verwerker": job.worker,
        "aangemaakt": job.created_at,
        "gestart": job.started_at,
        "volgende_poging": job.run_after,
        "klaar": job.finished_at,
    }


@bp.get("/beheer/taken")
@vereist(Recht.TAKEN_BEHEREN)
def taken():
    from verhalenbank.core import jobs

    kinds = jobs.registered()
    lijsten = {status: [_taak_regel(job, kinds) for job in lijst] for status, lijst in jobs.overview().items()}
    aantallen = jobs.counts()
    return render_template(
        "accounts/taken.html", lijsten=lijsten, aantallen=aantallen, actie_form=LegeForm(),
        geen_verwerker=aantallen["waiting"] > 0 and aantallen["running"] == 0 and jobs.oldest_waiting_minutes() >= 5,
    )


@bp.post("/beheer/taken/<int:job_id>/opnieuw")
@vereist(Recht.TAKEN_BEHEREN)
def taak_opnieuw(job_id: int):
    if not LegeForm().validate_on_submit():
        abort(400)
    job = operations.taak_opnieuw(current_user, job_id)
    if job is None:
        db.session.rollback()
        flash("Deze taak is niet (meer) mislukt; er is niets opnieuw gestart.")
    else:
        db.session.commit()
        flash(f"Taak {job_id} staat weer in de wachtrij.")
    return redirect(url_for("accounts.taken"))


# --- CSRF ----------------------------------------------------------------------------------


@bp.app_errorhandler(CSRFError)
def csrf_fout(error: CSRFError):
    """A missing or stale form token: explain it in plain words instead of a bare 400."""
    if request.path.startswith("/api/"):
        return jsonify(fout="Het CSRF-token ontbreekt of is verlopen. Gebruik een API-token (Authorization: Bearer)."), 400
    return render_template("accounts/csrf_fout.html", terug=_veilige_terug()), 400


def _veilige_terug() -> str | None:
    # Only a same-site referrer: never send people off-site from an error page.
    vorige = request.referrer or ""
    parts = urlsplit(vorige)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path or None


# --- profile: own password and personal API tokens -------------------------------------------


def _render_profiel(*, wachtwoord_form=None, token_form=None, nieuw_token=None, status=200):
    tokens = operations.list_api_tokens(current_user)
    return render_template(
        "accounts/profiel.html",
        wachtwoord_form=wachtwoord_form or WachtwoordWijzigenForm(formdata=None),
        token_form=token_form or ApiTokenForm(formdata=None),
        tokens=tokens,
        verlopen={t.id for t in tokens if operations.is_token_verlopen(t)},
        nieuw_token=nieuw_token,
        actie_form=LegeForm(),
    ), status, {"Cache-Control": "no-store"}


@bp.get("/profiel")
@vereist(Recht.INGELOGD)
def profiel():
    return _render_profiel()


@bp.post("/profiel/wachtwoord")
@vereist(Recht.INGELOGD)
def wachtwoord_wijzigen():
    form = WachtwoordWijzigenForm()
    if form.validate_on_submit():
        try:
            operations.change_own_wachtwoord(current_user, form.huidig.data, form.nieuw.data)
        except Gebruikersfout as exc:
            db.session.rollback()
            getattr(form, exc.veld or "nieuw", form.nieuw).errors.append(exc.bericht)
        else:
            operations.log_audit(current_user, AuditActie.EIGEN_WACHTWOORD_GEWIJZIGD, object_type="gebruiker", object_id=current_user.id)
            db.session.commit()
            # Other sessions ended with the new session secret; this one continues under it.
            login_user(current_user._get_current_object())
            flash("Uw wachtwoord is gewijzigd. Op andere apparaten moet u opnieuw inloggen.")
            return redirect(url_for("accounts.profiel"))
    return _render_profiel(wachtwoord_form=form, status=400)


@bp.post("/profiel/tokens")
@vereist(Recht.INGELOGD)
def token_maken():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _render_profiel(token_form=form, status=400)
    record, token = operations.create_api_token(
        current_user, form.naam.data, dagen=int(form.dagen.data), alleen_lezen=form.alleen_lezen.data
    )
    operations.log_audit(
        current_user, AuditActie.API_TOKEN_GEMAAKT, object_type="api_token", object_id=record.id,
        details={"verloopt_op": record.verloopt_op.isoformat(), "alleen_lezen": record.alleen_lezen},
    )
    db.session.commit()
    # Shown once in this response, never stored in plain text and never put in a URL or session.
    return _render_profiel(nieuw_token=token)


@bp.post("/profiel/tokens/<int:token_id>/intrekken")
@vereist(Recht.INGELOGD)
def token_intrekken(token_id: int):
    if not LegeForm().validate_on_submit():
        abort(400)
    try:
        token = operations.get_eigen_api_token(current_user, token_id)
    except NietGevonden:
        abort(404)
    if token.ingetrokken_op is None:
        operations.revoke_api_token(token)
        operations.log_audit(current_user, AuditActie.API_TOKEN_INGETROKKEN, object_type="api_token", object_id=token.id)
        db.session.commit()
    flash(f"Het token '{token.naam}' is ingetrokken. Het werkt niet meer.")
    return redirect(url_for("accounts.profiel"))
