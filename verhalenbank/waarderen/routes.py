"""Waarderingssessies: preparing, leading (live results, projector), closing; the participants'
public pages under /w/<code>; letters, exports and the comparison of rondes."""

from __future__ import annotations

from flask import (
    Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from verhalenbank.accounts.audit import WAARDERINGSSESSIE_EXPORT as EXPORT_ACTIE
from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import Recht, publiek, vereist
from verhalenbank.core.errors import Gebruikersfout
from verhalenbank.extensions import csrf, db
from verhalenbank.rondes.operations import find_ronde, list_rondes
from verhalenbank.verhalen.operations import zichtbaar_verhaal
from verhalenbank.waarderen import forms, operations, vergelijken
from verhalenbank.waarderen.models import SessieStatus, Waarderingssessie

bp = Blueprint("waarderen", __name__)


def _sessie_of_404(sessie_id: int) -> Waarderingssessie:
    sessie = db.session.get(Waarderingssessie, sessie_id)
    if sessie is None:
        abort(404)
    return sessie


def _deelnemen_url(sessie: Waarderingssessie) -> str:
    return url_for("waarderen.deelnemen", code=sessie.code, _external=True)


# ---------------------------------------------------------------------------------------------
# Facilitator
# ---------------------------------------------------------------------------------------------


@bp.get("/waarderen/")
@vereist(Recht.WAARDEREN)
def lijst():
    return render_template("waarderen/lijst.html", sessies=operations.list_sessies(), rondes=list_rondes(),
                           bomen=vergelijken.bomen_met_rondes())


@bp.route("/waarderen/nieuw", methods=["GET", "POST"])
@vereist(Recht.WAARDEREN)
def nieuw():
    ronde = find_ronde(request.values.get("ronde", ""))
    if ronde is None:
        flash("Kies een ronde.")
        return redirect(url_for("waarderen.lijst"))
    if request.values.get("indeling") == "domein":
        return _nieuw_per_domein(ronde)
    if request.method == "POST":
        try:
            sessie = operations.create_sessie(
                ronde, request.form.get("titel", ""), forms.selectie_uit_formulier(request.form),
                vraag=request.form.get("vraag"), panel=forms.panel_uit_tekst(request.form.get("panel")),
                door=current_user,
            )
        except Gebruikersfout as fout:
            db.session.rollback()
            flash(str(fout))
            return redirect(url_for("waarderen.nieuw", ronde=ronde.slug))
        db.session.commit()
        flash("De sessie is klaar. Open hem als de groep er is.")
        return redirect(url_for("waarderen.sessie", sessie_id=sessie.id))
    return _voorbereiden(ronde, None, operations.stel_selectie_voor(ronde))


def _nieuw_per_domein(ronde):
    """A new session per domain of change: the facilitator names the domains (and, if they
    like, the subdoelen each covers), asks the app to suggest stories, edits, and saves."""
    if request.method == "GET":
        domeinen = operations.standaard_domeinen()
        return _voorbereiden(ronde, None, operations.stel_domein_selectie_voor(ronde, domeinen), domeinen=domeinen)
    try:
        rijen = forms.domeinen_uit_formulier(request.form)
    except Gebruikersfout as fout:
        flash(str(fout))
        return redirect(url_for("waarderen.nieuw", ronde=ronde.slug, indeling="domein"))
    domeinen = [domein for _, domein in rijen]
    selectie: dict[int, list[int]] = {}
    try:
        if request.form.get("actie") == "voorstellen":
            domeinen = operations.controleer_domeinen(ronde, domeinen)
            return _voorbereiden(ronde, None, operations.stel_domein_selectie_voor(ronde, domeinen),
                                 domeinen=domeinen, ingevuld=request.form)
        per_rij = forms.selectie_uit_formulier(request.form)
        selectie = {plek: per_rij[rij] for plek, (rij, _) in enumerate(rijen) if per_rij.get(rij)}
        sessie = operations.create_sessie(
            ronde, request.form.get("titel", ""), selectie, vraag=request.form.get("vraag"),
            panel=forms.panel_uit_tekst(request.form.get("panel")), door=current_user, domeinen=domeinen,
        )
    except Gebruikersfout as fout:
        db.session.rollback()
        flash(str(fout))
        return _voorbereiden(ronde, None, selectie, domeinen=domeinen, ingevuld=request.form)
    db.session.commit()
    flash("De sessie is klaar. Open hem als de groep er is.")
    return redirect(url_for("waarderen.sessie", sessie_id=sessie.id))


def _voorbereiden(
    ronde, sessie: Waarderingssessie | None, selectie: dict[int, list[int]], *,
    domeinen: list[operations.DomeinInvoer] | None = None, ingevuld=None,
):
    """The preparation form, for a new session or to change one. `domeinen`: a new session per
    domain of change (the selection is keyed by each domain's position); `ingevuld`: the
    posted form, to keep what the facilitator typed when the page comes back."""
    verhalen = operations.kiesbare_verhalen(ronde)
    subdoelen = operations.subdoelen_van(ronde)
    if domeinen is not None:
        onderdelen = [(plek, domein.naam) for plek, domein in enumerate(domeinen)]
        extra = max(0, min(len(domeinen) + 2, operations.MAX_DOMEINEN) - len(domeinen))
        editor = [*domeinen, *[operations.DomeinInvoer("") for _ in range(extra)]]
    elif sessie is not None and operations.is_per_domein(sessie):
        onderdelen, editor = [(d.id, d.naam) for d in sessie.domeinen], None
    else:
        onderdelen, editor = [(s.id, f"{s.code} {s.titel}") for s in subdoelen], None
    vorige = ingevuld or {}
    return render_template(
        "waarderen/nieuw.html", ronde=ronde, sessie=sessie, onderdelen=onderdelen, subdoelen=subdoelen,
        domeinen=editor, voorstel=selectie, verhalen=[(v.id, operations.publieke_titel(v)) for v in verhalen],
        titel=vorige.get("titel") or (sessie.titel if sessie else f"Waarderingssessie {ronde.titel}"),
        vraag=vorige.get("vraag") or (sessie.vraag if sessie else operations.STANDAARD_VRAAG),
        panel_tekst=vorige.get("panel") or ("\n".join(sessie.panel or []) if sessie else ""),
        verhalen_vast=sessie is not None and sessie.status != SessieStatus.VOORBEREID,
        per_domein=domeinen is not None or (sessie is not None and operations.is_per_domein(sessie)),
        actie=url_for("waarderen.bewerken", sessie_id=sessie.id) if sessie else url_for("waarderen.nieuw"),
    )


@bp.route("/waarderen/<int:sessie_id>/bewerken", methods=["GET", "POST"])
@vereist(Recht.WAARDEREN)
def bewerken(sessie_id: int):
    sessie = _sessie_of_404(sessie_id)
    if sessie.status == SessieStatus.GESLOTEN:
        flash("Een gesloten sessie kan niet meer worden gewijzigd.")
        return redirect(url_for("waarderen.sessie", sessie_id=sessie.id))
    if request.method == "POST":
        vrij = sessie.status == SessieStatus.VOORBEREID
        try:
            gewijzigd = operations.update_sessie(
                sessie, request.form.get("titel", ""), forms.panel_uit_tekst(request.form.get("panel")),
                door=current_user, vraag=request.form.get("vraag") if vrij else None,
                selectie=forms.selectie_uit_formulier(request.form) if vrij else None,
            )
        except Gebruikersfout as fout:
            db.session.rollback()
            flash(str(fout))
            return redirect(url_for("waarderen.bewerken", sessie_id=sessie.id))
        db.session.commit()
        flash("De wijzigingen zijn bewaard." if gewijzigd else "Er was niets gewijzigd.")
        return redirect(url_for("waarderen.sessie", sessie_id=sessie.id))
    return _voorbereiden(sessie.ronde, sessie, operations.selectie_van(sessie))


@bp.get("/waarderen/<int:sessie_id>")
@vereist(Recht.WAARDEREN)
def sessie(sessie_id: int):
    sessie = _sessie_of_404(sessie_id)
    return render_template(
        "waarderen/sessie.html", sessie=sessie, stand=operations.stand(sessie), deelnemen_url=_deelnemen_url(sessie),
        SessieStatus=SessieStatus,
    )


@bp.get("/waarderen/<int:sessie_id>/scherm")
@vereist(Recht.WAARDEREN)
def scherm(sessie_id: int):
    """One screen for a projector: the stories large, and the group's choice recorded here."""
    sessie = _sessie_of_404(sessie_id)
    return render_template("waarderen/scherm.html", sessie=sessie, stand=operations.stand(sessie),
                           deelnemen_url=_deelnemen_url(sessie), SessieStatus=SessieStatus)


@bp.get("/waarderen/<int:sessie_id>/stand.json")
@vereist(Recht.WAARDEREN)
def stand_json(sessie_id: int):
    return jsonify(operations.stand_json(_sessie_of_404(sessie_id)))


@bp.get("/waarderen/<int:sessie_id>/qr.svg")
@vereist(Recht.WAARDEREN)
def qr(sessie_id: int):
    from verhalenbank.rondes import poster

    sessie = _sessie_of_404(sessie_id)
    return Response(poster.qr_svg(_deelnemen_url(sessie)), mimetype="image/svg+xml")


def _stap(sessie: Waarderingssessie, doe, melding: str, anker: str = ""):
    try:
        doe()
    except Gebruikersfout as fout:
        db.session.rollback()
        flash(str(fout))
    else:
        db.session.commit()
        flash(melding)
    terug = request.form.get("terug")
    doel = "waarderen.scherm" if terug == "scherm" else "waarderen.sessie"
    return redirect(url_for(doel, sessie_id=sessie.id, _anchor=anker or None))


@bp.post("/waarderen/<int:sessie_id>/open")
@vereist(Recht.WAARDEREN)
def openen(sessie_id: int):
    sessie = _sessie_of_404(sessie_id)
    return _stap(sessie, lambda: operations.open_sessie(sessie, current_user), "De sessie is open. Deelnemers kunnen meedoen.")


@bp.post("/waarderen/<int:sessie_id>/groep")
@vereist(Recht.WAARDEREN)
def groep(sessie_id: int):
    sessie = _sessie_of_404(sessie_id)
    subdoel = request.form.get("subdoel", "")

    def doe():
        operations.leg_groepskeuze_vast(
            sessie, forms.getal(subdoel, "subdoel"), forms.getal(request.form.get("verhaal"), "verhaal"),
            request.form.get("reden"), request.form.get("onenigheid"), door=current_user,
        )

    return _stap(sessie, doe, "De keuze van de groep is vastgelegd.", f"groep-{subdoel}")


@bp.post("/waarderen/<int:sessie_id>/sluiten")
@vereist(Recht.WAARDEREN)
def sluiten(sessie_id: int):
    sessie = _sessie_of_404(sessie_id)
    return _stap(sessie, lambda: operations.sluit_sessie(sessie, current_user),
                 "De sessie is gesloten. De keuzes staan nu in het feedbackpakket.")


@bp.get("/waarderen/<int:sessie_id>/brieven")
@vereist(Recht.CONTACTGEGEVENS_ZIEN)
def brieven(sessie_id: int):
    """Letters and e-mail texts for the tellers of chosen stories (uses contact details: audited)."""
    sessie = _sessie_of_404(sessie_id)
    lijst_ = operations.brieven(sessie)
    log_audit(current_user, AuditActie.WAARDERINGSSESSIE_BRIEVEN, object_type="waarderingssessie", object_id=sessie.id,
              details={"brieven": len(lijst_)})
    db.session.commit()
    return render_template("waarderen/brieven.html", sessie=sessie, brieven=lijst_,
                           zonder_bericht=operations.zonder_bericht(sessie),
                           css_href=url_for("static", filename="css/pakket.css"), pdf=False)


@bp.get("/waarderen/<int:sessie_id>/brieven.pdf")
@vereist(Recht.CONTACTGEGEVENS_ZIEN)
def brieven_pdf(sessie_id: int):
    from verhalenbank.pakketten.weergave import CSS_PAD, html_naar_pdf

    sessie = _sessie_of_404(sessie_id)
    lijst_ = operations.brieven(sessie)
    html = render_template("waarderen/brieven.html", sessie=sessie, brieven=lijst_, css_href=CSS_PAD.as_uri(), pdf=True,
                           zonder_bericht=0)
    log_audit(current_user, AuditActie.WAARDERINGSSESSIE_BRIEVEN_PDF, object_type="waarderingssessie", object_id=sessie.id,
              details={"brieven": len(lijst_)})
    db.session.commit()
    return Response(html_naar_pdf(html), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="brieven-sessie-{sessie.id}.pdf"'})


@bp.post("/waarderen/verhaal/<int:verhaal_id>/terugkoppeling")
@vereist(Recht.CONTACTGEGEVENS_ZIEN)
def terugkoppeling(verhaal_id: int):
    """A teller asks to (no longer) hear back about their story."""
    verhaal = zichtbaar_verhaal(verhaal_id, current_user) or abort(404)
    aan = request.form.get("terugkoppeling") == "ja"
    try:
        veranderd = operations.zet_terugkoppeling(verhaal, aan, current_user, request.form.get("reden"))
    except Gebruikersfout as fout:
        db.session.rollback()
        flash(str(fout))
    else:
        db.session.commit()
        if not veranderd:
            flash("Er is niets veranderd.")
        else:
            flash("De verteller krijgt berichten over het verhaal." if aan
                  else "De verteller krijgt geen berichten meer over het verhaal.")
    return redirect(url_for("verhalen.detail", verhaal_id=verhaal.id, _anchor="terugkoppeling"))


@bp.get("/waarderen/<int:sessie_id>/gekozen.<soort>")
@vereist(Recht.EXPORTEREN)
def export(sessie_id: int, soort: str):
    """The stories panels chose in this session's ronde, with the reasons as memos."""
    if soort not in ("csv", "qdpx"):
        abort(404)
    sessie = _sessie_of_404(sessie_id)
    data = operations.gekozen_export(sessie.ronde, soort)
    log_audit(current_user, EXPORT_ACTIE[soort], object_type="waarderingssessie", object_id=sessie.id)
    db.session.commit()
    mimetype = "text/csv; charset=utf-8" if soort == "csv" else "application/zip"
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="gekozen-{sessie.ronde.slug}.{soort}"'})


# ---------------------------------------------------------------------------------------------
# Over time: a tree's rondes side by side
# ---------------------------------------------------------------------------------------------


def _vergelijking():
    try:
        return vergelijken.vergelijk(request.args.get("boom", ""), request.args.getlist("ronde"))
    except Gebruikersfout as fout:
        flash(str(fout))
        return None


@bp.get("/waarderen/vergelijken")
@vereist(Recht.WAARDEREN)
def vergelijk():
    uitkomst = _vergelijking()
    if uitkomst is None:
        return redirect(url_for("waarderen.lijst"))
    return render_template("waarderen/vergelijken.html", v=uitkomst, css_href=url_for("static", filename="css/pakket.css"),
                           los=False, pdf_args=request.query_string.decode("ascii", "ignore"))


@bp.get("/waarderen/vergelijken.pdf")
@vereist(Recht.WAARDEREN)
def vergelijk_pdf():
    from verhalenbank.pakketten.weergave import CSS_PAD, html_naar_pdf

    uitkomst = _vergelijking()
    if uitkomst is None:
        return redirect(url_for("waarderen.lijst"))
    html = render_template("waarderen/vergelijken.html", v=uitkomst, css_href=CSS_PAD.as_uri(), los=True, pdf_args="")
    return Response(html_naar_pdf(html), mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="vergelijking.pdf"'})


# ---------------------------------------------------------------------------------------------
# Participants (public, no account)
# ---------------------------------------------------------------------------------------------

SESSIE_SLEUTEL = "waarderen_deelnemers"  # Flask session: {sessie id: participant key}


def _eigen_sleutel(sessie: Waarderingssessie) -> str | None:
    return (session.get(SESSIE_SLEUTEL) or {}).get(str(sessie.id))


def _wil_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.get("/w")
@publiek
def code_invoeren():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("waarderen.deelnemen", code=code.upper()))
    return render_template("waarderen/code.html")


@bp.get("/w/<code>")
@publiek
def deelnemen(code: str):
    sessie = operations.find_sessie_by_code(code)
    if sessie is None:
        return render_template("waarderen/niet_open.html", reden="onbekend"), 404
    if sessie.status != SessieStatus.OPEN:
        return render_template("waarderen/niet_open.html", reden=sessie.status, sessie=sessie)
    deelnemer = operations.find_deelnemer(sessie, _eigen_sleutel(sessie))
    if deelnemer is None:
        return render_template("waarderen/meedoen.html", sessie=sessie, csrf=generate_csrf())
    eerder = {k.subdoel_id: k for k in deelnemer.keuzes}
    return render_template(
        "waarderen/kiezen.html", sessie=sessie, blokken=operations.panel_inhoud(sessie), eerder=eerder,
        sleutel=_eigen_sleutel(sessie),
    )


@bp.post("/w/<code>/meedoen")
@publiek
def meedoen(code: str):
    sessie = operations.find_sessie_by_code(code)
    if sessie is None:
        abort(404)
    try:
        _, sleutel = operations.join_sessie(sessie, request.form.get("naam"))
    except Gebruikersfout:
        db.session.rollback()
        return redirect(url_for("waarderen.deelnemen", code=sessie.code))
    db.session.commit()
    sleutels = dict(session.get(SESSIE_SLEUTEL) or {})
    sleutels[str(sessie.id)] = sleutel
    session[SESSIE_SLEUTEL] = sleutels
    return redirect(url_for("waarderen.deelnemen", code=sessie.code))


@bp.post("/w/<code>/keuze")
@publiek
def keuze(code: str):
    """A participant's choice. Authenticated by the participant's key in the form (kept by the
    phone, so a choice queued offline can be sent later even after the cookie is gone)."""
    sessie = operations.find_sessie_by_code(code)
    if sessie is None:
        abort(404)
    deelnemer = operations.find_deelnemer(sessie, request.form.get("sleutel") or _eigen_sleutel(sessie))
    subdoel = request.form.get("subdoel", "")
    if deelnemer is None:
        if _wil_json():
            return jsonify({"status": "fout", "melding": "Doe eerst mee met de sessie."}), 403
        return redirect(url_for("waarderen.deelnemen", code=sessie.code))
    try:
        operations.kies(deelnemer, forms.getal(subdoel, "subdoel"), forms.getal(request.form.get("verhaal"), "verhaal"),
                        request.form.get("reden"))
    except Gebruikersfout as fout:
        db.session.rollback()
        if _wil_json():
            return jsonify({"status": "fout", "melding": str(fout)}), 422
        flash(str(fout))
        return redirect(url_for("waarderen.deelnemen", code=sessie.code, _anchor=f"doel-{subdoel}"))
    db.session.commit()
    if _wil_json():
        return jsonify({"status": "ok", "melding": "Uw keuze is bewaard."})
    flash("Uw keuze is bewaard. Dank u wel!")
    return redirect(url_for("waarderen.deelnemen", code=sessie.code, _anchor=f"doel-{subdoel}"))


# The participant's key in the form is the proof of who sends; a CSRF token would go stale
# while a choice waits offline (the same reasoning as the resident form).
csrf.exempt(keuze)
