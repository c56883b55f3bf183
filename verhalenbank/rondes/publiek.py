"""The public story form of a ronde (/r/<slug>), its thank-you page and withdrawal (/r/intrekken).

No login. The order of work in the POST is the guarantee of the product: everything that can
refuse the story (CSRF, honeypot, rate limit, validation, the photo) is checked *before* the
story is stored, and always re-shows the form with the typed text; once the story is committed,
nothing that fails later (saving the photo, analysis, indexing) can undo it.

JavaScript (static/js/verhaal-form.js) sends the same form with ``Accept: application/json``
and gets JSON answers, so it can queue a story offline and resend it with the same
``inzend_sleutel`` (idempotency key) without ever creating two stories.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import date, timedelta

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from verhalenbank.core.forms import Formulier, keuzes
from flask_wtf.file import FileField
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from verhalenbank.accounts.models import LoginPoging
from verhalenbank.accounts.permissions import publiek
from verhalenbank.config import PACKAGE_DIR
from verhalenbank.core.errors import Gebruikersfout, Ongeldig
from verhalenbank.core.sqlite_rij import alleen_lezen, begin_schrijven
from verhalenbank.core.models import utcnow
from verhalenbank.extensions import csrf, db
from verhalenbank.media import images
from verhalenbank.media.models import Foto
from verhalenbank.rondes import zelfduiding
from verhalenbank.rondes.models import Ronde
from verhalenbank.rondes.operations import find_ronde
from verhalenbank.verhalen import intake
from verhalenbank.verhalen import operations as verhalen_operations
from verhalenbank.verhalen.models import Verhaal

logger = logging.getLogger(__name__)

bp = Blueprint("publiek", __name__)

TOESTEMMING_TEKST = "Mijn verhaal mag bewaard en gebruikt worden."
CITEREN_TEKST = "Mijn verhaal mag (zonder naam) geciteerd worden."
TERUGKOPPELING_TEKST = "Ja, laat mij weten wat er met mijn verhaal gebeurt."
# Stored with the story: which wording the resident agreed to.
TOESTEMMING_VERSIE = verhalen_operations.TOESTEMMING_VERSIE

# Per address per ronde: generous, because a meeting place shares one address for everyone at a
# telling session. Counted in the database so it holds across server processes.
STANDAARD_LIMIET = 20
STANDAARD_VENSTER = timedelta(hours=1)
# The request may be bigger than the photo limit, so an over-size photo becomes a friendly
# message next to the kept text instead of a bare 413 page.
MAX_VERZOEK_BYTES = 40 * 1024 * 1024

SLEUTEL_PATROON = re.compile(r"^[A-Za-z0-9_-]{16,100}$")
EMAIL_PATROON = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TELEFOON_PATROON = re.compile(r"^[0-9+()\-\s]{6,20}$")

BRON_KEUZES = [
    ("inwoner", "Inwoner"),
    ("mantelzorger", "Mantelzorger"),
    ("vrijwilliger", "Vrijwilliger"),
    ("professional", "Professional (ik werk hier)"),
]


class VerhaalFormulier(Formulier):
    tekst = TextAreaField(
        "Uw verhaal",
        validators=[DataRequired("U heeft nog geen verhaal geschreven. Schrijf uw verhaal in het grote vak.")],
    )
    titel = StringField(
        "Titel (niet verplicht)",
        validators=[Optional(), Length(max=verhalen_operations.MAX_TITEL_LENGTE, message="De titel is te lang. Maak hem korter.")],
    )
    foto = FileField("Foto (niet verplicht)")
    bron = RadioField("Wie bent u?", choices=keuzes(BRON_KEUZES), validators=[Optional()], validate_choice=False)
    wijk = SelectField("In welke wijk was het? (niet verplicht)", choices=[], validate_choice=False)
    toestemming = BooleanField(TOESTEMMING_TEKST)
    citeren = BooleanField(CITEREN_TEKST)
    naam = StringField("Naam", validators=[Optional(), Length(max=200, message="De naam is te lang.")])
    email = StringField("E-mailadres", validators=[Optional(), Length(max=254, message="Het e-mailadres is te lang.")])
    telefoon = StringField("Telefoonnummer", validators=[Optional(), Length(max=50, message="Het telefoonnummer is te lang.")])
    terugkoppeling = BooleanField(TERUGKOPPELING_TEKST)
    inzend_sleutel = HiddenField(validators=[Optional(), Regexp(SLEUTEL_PATROON)])
    website = StringField("Laat dit veld leeg")  # honeypot: hidden from people, filled by bots

    def validate_tekst(self, field) -> None:
        lengte = len((field.data or "").strip())
        if lengte > verhalen_operations.MAX_TEKST_LENGTE:
            raise ValidationError(
                f"Uw verhaal is te lang: {lengte} tekens. Er passen {verhalen_operations.MAX_TEKST_LENGTE} tekens in. "
                "Maak het wat korter. Uw tekst staat hieronder nog."
            )

    def validate_toestemming(self, field) -> None:
        if not field.data:
            raise ValidationError("Zet een vinkje als wij uw verhaal mogen bewaren. Zonder toestemming kunnen we het niet gebruiken.")

    def validate_email(self, field) -> None:
        if field.data and not EMAIL_PATROON.match(field.data.strip()):
            raise ValidationError("Dit e-mailadres klopt niet. Kijk het nog eens na, of laat het leeg.")

    def validate_telefoon(self, field) -> None:
        if field.data and not TELEFOON_PATROON.match(field.data.strip()):
            raise ValidationError("Dit telefoonnummer klopt niet. Gebruik alleen cijfers, of laat het leeg.")


# ---------------------------------------------------------------- helpers


@bp.app_template_global()
def veldattributen(field, attrs: dict | None = None, hint_id: str | None = None) -> dict:
    """HTML attributes for a form field: ties the hint and the error message to it
    (aria-describedby, read out with the field) and marks it aria-invalid when it has an error."""
    result = dict(attrs or {})
    ids = [part for part in (result.pop("aria-describedby", None), hint_id) if part]
    if field.errors:
        ids.append(f"{field.id}-fout")
        result["aria-invalid"] = "true"
    if ids:
        result["aria-describedby"] = " ".join(ids)
    return result


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/html"]


def ronde_status(ronde: Ronde | None, vandaag: date | None = None) -> str:
    """'open', 'gesloten', 'nog_niet' or 'onbekend'."""
    if ronde is None:
        return "onbekend"
    vandaag = vandaag or date.today()
    if not ronde.is_open or (ronde.eind_datum and ronde.eind_datum < vandaag):
        return "gesloten"
    if ronde.start_datum and ronde.start_datum > vandaag:
        return "nog_niet"
    return "open"


def subdoel_keuzes(ronde: Ronde) -> list[zelfduiding.SubdoelKeuze]:
    return [
        zelfduiding.SubdoelKeuze(boom.code, subdoel.code, subdoel.titel)
        for boom in ronde.doelenbomen
        for subdoel in boom.subdoelen
    ]


def _address_key(ronde: Ronde) -> str:
    # Hash the address with the app secret: the table never holds residents' IP addresses.
    adres = request.remote_addr or "onbekend"
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), adres.encode(), hashlib.sha256).hexdigest()[:32]
    return f"inzending:{ronde.id}:{digest}"


def _limit() -> tuple[int, timedelta]:
    return (
        current_app.config.get("VERHALENBANK_INZEND_LIMIET", STANDAARD_LIMIET),
        current_app.config.get("VERHALENBANK_INZEND_VENSTER", STANDAARD_VENSTER),
    )


def is_rate_limited(ronde: Ronde) -> bool:
    aantal, venster = _limit()
    count = db.session.scalar(
        select(func.count(LoginPoging.id)).where(
            LoginPoging.sleutel == _address_key(ronde), LoginPoging.tijdstip >= utcnow() - venster
        )
    )
    return (count or 0) >= aantal


def _record_attempt(ronde: Ronde) -> None:
    # Shares the login throttle table: same shape (key, time), already cleaned up with it.
    db.session.add(LoginPoging(sleutel=_address_key(ronde), gelukt=True))


def _build_form(ronde: Ronde) -> VerhaalFormulier:
    form = VerhaalFormulier()
    form.wijk.choices = keuzes([("", "Weet ik niet of zeg ik liever niet")] + [(wijk, wijk) for wijk in (ronde.wijken or [])])
    if not form.inzend_sleutel.data:
        # Without JavaScript the page gives the key; with it, the script makes its own.
        form.inzend_sleutel.data = secrets.token_urlsafe(24)
    return form


# Questions shown straight away; the rest of the form is folded under "Meer vertellen".
VRAGEN_ZICHTBAAR = (zelfduiding.SOORT_GEZICHT, zelfduiding.SOORT_ONDERWERP)
VELDEN_INGEVOUWEN = ("titel", "foto", "bron", "wijk", "naam", "email", "telefoon")


def _extra_open(form, vragen, antwoorden) -> bool:
    """Unfold the optional part when it holds an error or something the resident filled in."""
    velden = [getattr(form, naam) for naam in VELDEN_INGEVOUWEN]
    if any(veld.errors for veld in velden):
        return True
    if any((veld.data or "") for veld in velden if veld.name not in ("foto", "bron")):
        return True
    return any(antwoorden.get(vraag.code) for vraag in vragen if vraag.soort not in VRAGEN_ZICHTBAAR)


def _render_form(ronde, form, vragen, antwoorden, status=200, melding=None):
    fouten = [(field.id, error) for field in form if field.errors for error in field.errors if field.name != "csrf_token"]
    response = make_response(
        render_template(
            "publiek/formulier.html",
            ronde=ronde,
            form=form,
            vragen=[vraag for vraag in vragen if vraag.soort in VRAGEN_ZICHTBAAR],
            meer_vragen=[vraag for vraag in vragen if vraag.soort not in VRAGEN_ZICHTBAAR],
            extra_open=_extra_open(form, vragen, antwoorden),
            antwoorden=antwoorden,
            fouten=fouten,
            melding=melding,
            accept=images.ACCEPT_ATTRIBUTE,
            max_tekst=verhalen_operations.MAX_TEKST_LENGTE,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _refuse(ronde, form, vragen, antwoorden, status, melding, json_status):
    if _wants_json():
        fouten = {field.name: field.errors for field in form if field.errors}
        return jsonify(status=json_status, bericht=melding, fouten=fouten), status
    return _render_form(ronde, form, vragen, antwoorden, status=status, melding=melding)


def _not_open(ronde: Ronde | None, slug: str, status_naam: str, tekst: str | None = None):
    status = 404 if status_naam in ("onbekend", "nog_niet") else 410
    if _wants_json():
        berichten = {
            "onbekend": "Dit adres kennen wij niet.",
            "nog_niet": "U kunt hier nog geen verhaal sturen.",
            "gesloten": "Deze ronde is gesloten. Er kunnen geen verhalen meer bij.",
        }
        return jsonify(status=status_naam, bericht=berichten[status_naam]), status
    response = make_response(
        render_template("publiek/niet_open.html", ronde=ronde, slug=slug, status_naam=status_naam, tekst=tekst), status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _success(slug: str, code: str, foto_mislukt: bool, status: int):
    session["bedankt"] = {"ronde": slug, "code": code, "foto_mislukt": foto_mislukt}
    bedankt_url = url_for("publiek.bedankt", slug=slug)
    if _wants_json():
        return jsonify(status="opgeslagen", bedankt_url=bedankt_url), status
    return redirect(bedankt_url, code=303)


@bp.app_template_global()
def zelfduiding_bij_verhaal(verhaal: Verhaal, tags) -> dict:
    """What the teller said about their own story, lined up with the automatic tags, for the
    story page (templates/publiek/_bij_verhaal.html)."""
    from verhalenbank.media.operations import photos_of_verhaal

    vragen = (
        zelfduiding.build_questions(verhaal.ronde.zelfduiding, subdoel_keuzes(verhaal.ronde))
        if verhaal.ronde is not None
        else zelfduiding.build_questions(None, [])
    )
    per_code = {vraag.code: vraag for vraag in vragen}
    gekozen: dict[str, list[str]] = {}
    for antwoord in verhaal.zelfduiding_antwoorden:
        gekozen.setdefault(antwoord.vraag, []).append(antwoord.antwoord)
    antwoorden = []
    for code, waarden in gekozen.items():
        vraag = per_code.get(code)
        antwoorden.append({
            "vraag": vraag.vraag if vraag else code,
            "antwoorden": [vraag.label_van(waarde) if vraag else waarde for waarde in waarden],
            "soort": vraag.soort if vraag else None,
            "waarden": waarden,
        })
    labels = {
        optie.waarde: optie.label
        for vraag in vragen if vraag.soort == zelfduiding.SOORT_ONDERWERP for optie in vraag.opties
    }
    tag_subdoelen = {
        f"{tag.subdoel.doelenboom.code}:{tag.subdoel.code}": f"{tag.subdoel.code} {tag.subdoel.titel}"
        for tag in tags if not tag.afgewezen
    }
    onderwerp = [w for code, waarden in gekozen.items()
                 if per_code.get(code) and per_code[code].soort == zelfduiding.SOORT_ONDERWERP for w in waarden]
    vergelijking = zelfduiding.compare_with_tags(onderwerp, tag_subdoelen, labels) if onderwerp else []
    return {"antwoorden": antwoorden, "vergelijking": vergelijking, "fotos": photos_of_verhaal(verhaal.id)}


# ---------------------------------------------------------------- views


@bp.get("/sw.js")
@publiek
def service_worker():
    # Served from the site root so the worker may control /r/ (a worker's scope can't be wider
    # than the folder its script comes from).
    response = send_from_directory(PACKAGE_DIR / "static", "sw.js", mimetype="application/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/r/<slug>", methods=["GET", "POST"])
@publiek
@alleen_lezen(eerst_lezen=True)  # a POST reads and checks first; only storing takes a turn
def formulier(slug: str):
    ronde = find_ronde(slug, met_subdoelen=True)
    status_naam = ronde_status(ronde)
    if status_naam != "open":
        return _not_open(ronde, slug, status_naam, tekst=request.form.get("tekst") if request.method == "POST" else None)

    form = _build_form(ronde)
    vragen = zelfduiding.build_questions(ronde.zelfduiding, subdoel_keuzes(ronde))
    if request.method == "GET":
        return _render_form(ronde, form, vragen, {})

    antwoorden = zelfduiding.parse_answers(vragen, request.form)
    sleutel = (request.form.get("inzend_sleutel") or "").strip()
    if sleutel and SLEUTEL_PATROON.match(sleutel):
        try:
            eerder = intake.eerdere_inzending(sleutel, ronde)
        except Ongeldig:
            # This page's key already belongs to a story in another ronde: nothing is stored;
            # a fresh key lets the resident send this story again.
            form.inzend_sleutel.data = secrets.token_urlsafe(24)
            return _refuse(
                ronde, form, vragen, antwoorden, 422 if _wants_json() else 400,
                "Dit formulier is al eens gebruikt voor een andere ronde. Uw tekst staat er nog. "
                "Druk nog een keer op 'Verstuur mijn verhaal'.",
                "fout",
            )
        if eerder is not None:
            begin_schrijven(db.session)
            return _repeat(eerder, ronde)

    if (form.website.data or "").strip():
        form.website.errors = ["Dit veld moet leeg blijven. Maak het leeg en verstuur opnieuw."]
        return _refuse(ronde, form, vragen, antwoorden, 400, "Er ging iets mis met het versturen.", "fout")

    if is_rate_limited(ronde):
        return _refuse(
            ronde, form, vragen, antwoorden, 429,
            "Er zijn vanaf dit netwerk veel verhalen tegelijk gestuurd. Wacht een uur en verstuur het dan opnieuw. "
            "Uw tekst staat hieronder nog.",
            "te_vaak",
        )

    if not form.validate():
        if form.csrf_token.errors if hasattr(form, "csrf_token") else False:
            # An old page (e.g. opened yesterday, or queued offline): new token, text kept.
            if _wants_json():
                return jsonify(status="csrf", bericht="De pagina was verlopen."), 400
            return _render_form(
                ronde, form, vragen, antwoorden, status=400,
                melding="De pagina was verlopen. Uw tekst staat er nog. Druk nog een keer op 'Verstuur mijn verhaal'.",
            )
        return _refuse(ronde, form, vragen, antwoorden, 422 if _wants_json() else 400, None, "fout")

    # The photo is checked completely before anything is stored: a bad photo keeps the text.
    voorbereide_foto = None
    upload = request.files.get("foto")
    if upload is not None and upload.filename:
        try:
            voorbereide_foto = images.prepare_photo(upload.stream)
        except images.FotoFout as fout:
            form.foto.errors = [fout.message + " Uw verhaal staat er nog; u kunt het ook zonder foto versturen."]
            return _refuse(ronde, form, vragen, antwoorden, 422 if _wants_json() else 400, None, "fout")

    invoer = verhalen_operations.VerhaalInvoer(
        tekst=form.tekst.data,
        titel=form.titel.data or None,
        bron=form.bron.data if form.bron.data in dict(BRON_KEUZES) else "inwoner",
        wijk=form.wijk.data if form.wijk.data in (ronde.wijken or []) else None,
        datum=date.today(),
        toestemming=True,
        citeren=bool(form.citeren.data),
        toestemming_versie=TOESTEMMING_VERSIE,
        inzend_sleutel=sleutel if SLEUTEL_PATROON.match(sleutel) else None,
        zelfduiding=antwoorden,
        contact={"naam": form.naam.data or "", "email": form.email.data or "", "telefoon": form.telefoon.data or ""},
        terugkoppeling=bool(form.terugkoppeling.data),
    )
    begin_schrijven(db.session)
    try:
        # The key was looked up above (a resend went to _repeat); a race is the IntegrityError below.
        inname = intake.neem_verhaal_in(invoer, ronde=ronde)
        # Read before the commit expires them: after it, a read would queue for the write turn again.
        verhaal_id, slug, code = inname.verhaal.id, ronde.slug, inname.intrekcode
        _record_attempt(ronde)
        db.session.commit()
    except IntegrityError:
        # The same key arrived twice at the same moment: the other request stored it.
        db.session.rollback()
        eerder = verhalen_operations.find_by_inzend_sleutel(invoer.inzend_sleutel) if invoer.inzend_sleutel else None
        if eerder is None:
            raise
        return _repeat(eerder, ronde)
    except Gebruikersfout as fout:
        db.session.rollback()
        getattr(form, fout.veld or "tekst", form.tekst).errors.append(fout.bericht)
        return _refuse(ronde, form, vragen, antwoorden, 422 if _wants_json() else 400, None, "fout")

    # ---- From here on the story is safe; later failures are logged, never lost work. ----
    foto_mislukt = False
    if voorbereide_foto is not None:
        foto_mislukt = not _attach_photo(verhaal_id, voorbereide_foto)
    intake.plan_na_commit([verhaal_id])
    return _success(slug, code, foto_mislukt, 201)


def _repeat(verhaal: Verhaal, ronde: Ronde):
    """A resend of a story we already have: same story, a fresh code (the old one may never
    have reached the resident; the newest page they see always holds a working code)."""
    code = intake.herhaal(verhaal).intrekcode
    slug = ronde.slug
    db.session.commit()
    return _success(slug, code, False, 200)


def _attach_photo(verhaal_id: int, voorbereide_foto: images.PreparedPhoto) -> bool:
    photo_dir = current_app.config["VERHALENBANK"].photo_dir
    opgeslagen = None
    try:
        opgeslagen = images.save_prepared_photo(voorbereide_foto, photo_dir)
        db.session.add(
            Foto(verhaal_id=verhaal_id, bestand=opgeslagen.bestand, miniatuur=opgeslagen.miniatuur,
                 breedte=opgeslagen.breedte, hoogte=opgeslagen.hoogte)
        )
        db.session.commit()
        return True
    except Exception:  # noqa: BLE001 - the story is stored; a lost photo must not undo that
        logger.exception("Photo of story %s could not be stored", verhaal_id)
        db.session.rollback()
        if opgeslagen is not None:
            images.delete_photo_files(photo_dir, opgeslagen.bestand, opgeslagen.miniatuur)
        return False


@bp.get("/r/<slug>/bedankt")
@publiek
@alleen_lezen
def bedankt(slug: str):
    gegevens = session.get("bedankt")
    if not gegevens or gegevens.get("ronde") != slug:
        return redirect(url_for("publiek.formulier", slug=slug))
    # No database: everything shown comes from the session (a resident's second request of the
    # two that sending a story takes; it must stay cheap under a rush).
    # Show the code once: on a shared phone or library computer the next person must not find it.
    session["bedankt"] = dict(gegevens, code=None)
    response = make_response(
        render_template(
            "publiek/bedankt.html",
            slug=slug,
            code=gegevens["code"],
            foto_mislukt=gegevens.get("foto_mislukt", False),
            intrek_url=url_for("publiek.intrekken", code=gegevens["code"], _external=True) if gegevens["code"] else None,
        )
    )
    # Holds a personal code: never cached, not by the browser and not by the service worker.
    response.headers["Cache-Control"] = "no-store"
    return response


class IntrekForm(Formulier):
    code = StringField("Uw intrekcode", validators=[DataRequired("Vul de code in die u kreeg na het versturen.")])
    bevestig = BooleanField("Ja, wis mijn verhaal. Ik weet dat dit niet terug te draaien is.")


class FotoLaterForm(Formulier):
    code = StringField("Uw intrekcode", validators=[DataRequired("Vul de code in die u kreeg na het versturen.")])
    foto = FileField("Foto")


TE_VAAK_GEPROBEERD = "U heeft te vaak een verkeerde code geprobeerd. Probeer het over een uur opnieuw."


def _form_met_code(form_class):
    """A form of the resident's withdrawal code, prefilled from the link (?code=...)."""
    form = form_class()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]
    return form


def _verhaal_bij_code(form, onbekend: str) -> tuple[Verhaal | None, str | None, int]:
    """The story of the typed code, or (None, message, status); wrong codes count towards the limit."""
    if is_withdrawal_limited():
        return None, TE_VAAK_GEPROBEERD, 429
    verhaal = verhalen_operations.find_by_intrekcode(form.code.data)
    if verhaal is None:
        _record_withdrawal_attempt()
        db.session.commit()
        form.code.errors.append(onbekend)
        return None, None, 400
    return verhaal, None, 200


def _zonder_cache(response):
    # Holds or asks for a personal code: never cached.
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _fouten(form) -> list[tuple[str, str]]:
    return [(field.id, error) for field in form if field.errors for error in field.errors if field.name != "csrf_token"]


@bp.route("/r/intrekken", methods=["GET", "POST"])
@publiek
def intrekken():
    form = _form_met_code(IntrekForm)
    melding = None
    status = 200
    if request.method == "POST" and form.validate():
        verhaal, melding, status = _verhaal_bij_code(
            form, "Deze code kennen wij niet. Kijk de code nog eens na. Misschien is het verhaal al gewist."
        )
        if verhaal is not None and not form.bevestig.data:
            form.bevestig.errors.append("Zet een vinkje om te bevestigen dat u uw verhaal wilt wissen.")
            status = 400
        elif verhaal is not None:
            verhaal_id = verhaal.id
            verhalen_operations.erase_verhaal(verhaal, door=None, reden="ingetrokken door verteller")
            db.session.commit()
            verhalen_operations.after_erase([verhaal_id])
            session.pop("bedankt", None)
            return _zonder_cache(render_template("publiek/ingetrokken.html"))
    elif request.method == "POST":
        status = 400
    return _zonder_cache((render_template("publiek/intrekken.html", form=form, fouten=_fouten(form), melding=melding), status))


@bp.route("/r/foto-toevoegen", methods=["GET", "POST"])
@publiek
def foto_toevoegen():
    """A photo for a story sent earlier (for instance without internet, when the photo stayed
    behind): the resident's withdrawal code shows it is their story."""
    form = _form_met_code(FotoLaterForm)
    melding, status = None, 200
    if request.method == "POST" and form.validate():
        upload = request.files.get("foto")
        verhaal, melding, status = _verhaal_bij_code(form, "Deze code kennen wij niet. Kijk de code nog eens na.")
        if verhaal is not None and db.session.scalar(select(func.count(Foto.id)).where(Foto.verhaal_id == verhaal.id)):
            form.foto.errors.append("Bij dit verhaal hoort al een foto. U kunt er één foto bij sturen.")
        elif verhaal is not None and (upload is None or not upload.filename):
            form.foto.errors.append("Kies een foto.")
        elif verhaal is not None:
            try:
                voorbereid = images.prepare_photo(upload.stream)
            except images.FotoFout as fout:
                form.foto.errors.append(fout.message)
            else:
                if _attach_photo(verhaal.id, voorbereid):
                    return _zonder_cache(render_template("publiek/foto_toegevoegd.html"))
                melding, status = "Uw foto kon helaas niet worden bewaard. Probeer het later nog eens.", 500
        if form.errors and status == 200:
            status = 400
    elif request.method == "POST":
        status = 400
    return _zonder_cache((render_template(
        "publiek/foto_toevoegen.html", form=form, fouten=_fouten(form), melding=melding, accept=images.ACCEPT_ATTRIBUTE,
    ), status))


def _withdrawal_key() -> str:
    adres = request.remote_addr or "onbekend"
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), adres.encode(), hashlib.sha256).hexdigest()[:32]
    return f"intrekken:{digest}"


def is_withdrawal_limited() -> bool:
    # Guessing codes: at most 10 wrong codes per address per hour.
    count = db.session.scalar(
        select(func.count(LoginPoging.id)).where(
            LoginPoging.sleutel == _withdrawal_key(), LoginPoging.gelukt.is_(False),
            LoginPoging.tijdstip >= utcnow() - timedelta(hours=1),
        )
    )
    return (count or 0) >= 10


def _record_withdrawal_attempt() -> None:
    db.session.add(LoginPoging(sleutel=_withdrawal_key(), gelukt=False))


@bp.before_request
def _allow_large_photo_requests():
    if request.endpoint in ("publiek.formulier", "publiek.foto_toevoegen") and request.method == "POST":
        request.max_content_length = MAX_VERZOEK_BYTES


# The form checks its own CSRF token (FlaskForm), so a stale token re-shows the form with the
# typed text instead of the global 400 page that would lose it.
csrf.exempt(formulier)
