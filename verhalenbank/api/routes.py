"""JSON API under /api/v1 (INTERFACES §5), described by `openapi.py`.

Authentication: a personal API token (`Authorization: Bearer …`, made on /profiel) for
everything that is not public. A request with a token is judged by the token alone. The
blueprint is exempt from the global CSRF check because a token cannot be sent by another site;
a write that relies on a browser session instead must carry a CSRF token like any form.
Every error under /api is JSON: `{"fout": "<Dutch message>"}`.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.models import Organisatie
from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import Recht, heeft_recht, publiek, vereist
from verhalenbank.api import weergave
from verhalenbank.api.openapi import build_openapi
from verhalenbank.core import limits
from verhalenbank.core.errors import Gebruikersfout, NietGevonden
from verhalenbank.doelenbomen import operations as bomen_ops
from verhalenbank.doelenbomen.exchange import parse_doelenboom
from verhalenbank.doelenbomen.models import Doelenboom, Indicator, Subdoel
from verhalenbank.extensions import csrf, db
from verhalenbank.rondes import operations as rondes_ops
from verhalenbank.rondes import publiek as publiek_formulier
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen import intake
from verhalenbank.verhalen import operations as verhalen_ops
from verhalenbank.verhalen.models import BRONNEN, Tag, Verhaal
from verhalenbank.zoeken.parameters import TAG_STATUSES

logger = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_ID = limits.MAX_ID
MAX_PER_PAGINA = 100
STANDAARD_PER_PAGINA = 25
PUBLIEKE_BRONNEN = tuple(code for code, _ in publiek_formulier.BRON_KEUZES)
INZENDING_VELDEN = {"tekst", "titel", "bron", "wijk", "toestemming", "citeren", "inzend_sleutel"}
TAG_VELDEN = {"subdoel", "doelenboom", "indicator"}
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


class ApiFout(Exception):
    def __init__(self, status: int, fout: str, details: list[str] | None = None):
        super().__init__(fout)
        self.status, self.fout, self.details = status, fout, details or []


def _fout(status: int, bericht: str, details: list[str] | None = None):
    body = {"fout": bericht}
    if details:
        body["details"] = details
    return jsonify(body), status


@bp.errorhandler(ApiFout)
def _api_fout(exc: ApiFout):
    return _fout(exc.status, exc.fout, exc.details)


@bp.errorhandler(Gebruikersfout)
def _gebruikersfout(exc: Gebruikersfout):
    db.session.rollback()
    return _fout(404 if isinstance(exc, NietGevonden) else 422, exc.bericht, exc.details)


HTTP_BERICHTEN = {
    400: "Het verzoek klopt niet.",
    401: "Inloggen of een API-token is nodig.",
    403: "U heeft hier geen toegang toe.",
    404: "Niet gevonden.",
    405: "Deze methode kan hier niet.",
    413: "Het verzoek is te groot.",
    415: "Dit soort inhoud wordt hier niet geaccepteerd.",
}


@bp.errorhandler(HTTPException)
def _http_fout(exc: HTTPException):
    status = exc.code or 500
    return _fout(status, HTTP_BERICHTEN.get(status, "Er ging iets mis met het verzoek."))


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None


_is_storable = limits.is_opslaanbaar  # the databases refuse NUL characters and lone surrogates


@bp.before_request
def _refuse_unstorable_input():
    if not _is_storable(request.path):
        return _fout(404, "Niet gevonden.")
    if not all(_is_storable(waarde) for waarde in request.args.values()):
        return _fout(422, "Een parameter bevat tekens die niet zijn toegestaan.")
    return None


@bp.before_request
def _token_or_csrf():
    if _bearer_token() is not None:
        if not current_user.is_authenticated:
            return _fout(401, "Dit API-token is onbekend, verlopen of ingetrokken.")
        token = g.get("api_token")
        if token is not None and token.alleen_lezen and request.method not in ("GET", "HEAD", "OPTIONS"):
            return _fout(403, "Dit API-token mag alleen lezen.")
        return None
    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        # Logged in through the browser session: another site could make the browser send
        # this request, so it needs the CSRF token of a page of ours (X-CSRFToken header).
        csrf.protect()
    return None


@bp.after_request
def _no_caching(response):
    # API answers may hold story text; never keep them in shared caches.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# --- helpers -------------------------------------------------------------------------------


def _json_object(toegestaan: set[str]) -> dict:
    if not request.is_json:
        raise ApiFout(415, "Stuur JSON (Content-Type: application/json).")
    try:
        # Size, depth and huge numbers are checked before parsing (core/limits.py).
        gegevens = limits.load_json(request.get_data(as_text=True), max_bytes=limits.MAX_JSONL_REGEL_BYTES)
    except Gebruikersfout as exc:
        raise ApiFout(400 if exc.bericht.startswith("ongeldige JSON") else 422, f"De inhoud is niet bruikbaar: {exc.bericht}.") from None
    if not isinstance(gegevens, dict):
        raise ApiFout(422, "Stuur een JSON-object.")
    onbekend = sorted(set(gegevens) - toegestaan)
    if onbekend:
        raise ApiFout(422, f"Onbekend veld: {', '.join(onbekend)}.")
    return gegevens


def _tekstveld(gegevens: dict, naam: str, *, verplicht: bool = False, max_lengte: int | None = None) -> str | None:
    waarde = gegevens.get(naam)
    if waarde is None:
        if verplicht:
            raise ApiFout(422, f"Het veld '{naam}' ontbreekt.")
        return None
    if not isinstance(waarde, str):
        raise ApiFout(422, f"Het veld '{naam}' moet tekst zijn.")
    if not _is_storable(waarde):
        raise ApiFout(422, f"Het veld '{naam}' bevat tekens die niet zijn toegestaan.")
    if max_lengte is not None and len(waarde) > max_lengte:
        raise ApiFout(422, f"Het veld '{naam}' is te lang (maximaal {max_lengte} tekens).")
    return waarde


def _boolveld(gegevens: dict, naam: str, standaard: bool) -> bool:
    waarde = gegevens.get(naam, standaard)
    if not isinstance(waarde, bool):
        raise ApiFout(422, f"Het veld '{naam}' moet true of false zijn.")
    return waarde


def _id_or_404(waarde: int) -> int:
    if waarde < 1 or waarde > MAX_ID:
        raise ApiFout(404, "Niet gevonden.")
    return waarde


def _int_param(naam: str, standaard: int, minimum: int, maximum: int) -> int:
    ruw = request.args.get(naam)
    if ruw is None:
        return standaard
    if not re.fullmatch(r"[0-9]{1,9}", ruw) or not minimum <= int(ruw) <= maximum:
        raise ApiFout(422, f"De parameter '{naam}' moet een geheel getal van {minimum} tot {maximum} zijn.")
    return int(ruw)


MAX_TEKST_TREFFERS = 5000


def _matching_ids(tekst: str) -> list[int]:
    """Ids of the stories the full-text search finds (the same search as /zoeken), capped."""
    from verhalenbank.zoeken.backend import MAX_PER_PAGE, Zoekopdracht
    from verhalenbank.zoeken.operations import get_backend

    if len(tekst) > 500:
        raise ApiFout(422, "De zoektekst is te lang (maximaal 500 tekens).")
    ids: list[int] = []
    pagina = 1
    while len(ids) < MAX_TEKST_TREFFERS:
        resultaat = get_backend().search(
            Zoekopdracht(tekst=tekst, pagina=pagina, per_pagina=MAX_PER_PAGE, facetten=())
        )
        ids.extend(resultaat.ids)
        if pagina >= resultaat.aantal_paginas:
            break
        pagina += 1
    return ids


def _date_param(naam: str) -> date | None:
    ruw = request.args.get(naam)
    if not ruw:
        return None
    try:
        return date.fromisoformat(ruw) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", ruw) else _bad_date(naam)
    except ValueError:
        return _bad_date(naam)


def _bad_date(naam: str):
    raise ApiFout(422, f"De parameter '{naam}' moet een datum zijn, zoals 2026-04-30.")


def _zichtbaar_verhaal(verhaal_id: int) -> Verhaal:
    from verhalenbank.verhalen.operations import zichtbare_verhalen

    gevonden = db.session.scalar(zichtbare_verhalen(current_user).where(Verhaal.id == _id_or_404(verhaal_id)))
    if gevonden is None:
        # Also for another organisation's story: don't confirm that it exists.
        raise ApiFout(404, f"Verhaal {verhaal_id} bestaat niet (meer).")
    return gevonden


def _tag_or_404(tag_id: int) -> Tag:
    tag = db.session.get(Tag, _id_or_404(tag_id))
    if tag is None:
        raise ApiFout(404, f"Label {tag_id} bestaat niet (meer).")
    _zichtbaar_verhaal(tag.verhaal_id)
    return tag


def _reindex(verhaal_id: int) -> None:
    from verhalenbank.zoeken.operations import index_after_commit

    index_after_commit([verhaal_id])


# --- OpenAPI -------------------------------------------------------------------------------


@bp.get("/openapi.json")
@publiek
def openapi():
    return jsonify(build_openapi())


# --- doelenbomen ---------------------------------------------------------------------------


@bp.get("/doelenbomen")
@vereist(Recht.VERHALEN_LEZEN)
def doelenbomen_lijst():
    return jsonify(doelenbomen=[weergave.doelenboom_kort(b) for b in bomen_ops.list_doelenbomen()])


@bp.get("/doelenbomen/<code>")
@vereist(Recht.VERHALEN_LEZEN)
def doelenboom_detail(code: str):
    return jsonify(weergave.doelenboom_volledig(bomen_ops.get_doelenboom(code)))


@bp.post("/doelenbomen")
@vereist(Recht.BOMEN_BEHEREN)
def doelenboom_import():
    """Import or update one tree from the YAML exchange format (INTERFACES §2) in the body."""
    if request.mimetype not in YAML_TYPES:
        raise ApiFout(415, "Stuur de doelenboom als YAML (Content-Type: application/yaml).")
    ruw = request.get_data(cache=False)
    if len(ruw) > limits.MAX_YAML_BYTES:
        raise ApiFout(413, f"Het bestand is te groot (maximaal {limits.MAX_YAML_BYTES // 1024} kB).")
    try:
        tekst = ruw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiFout(422, "De doelenboom is geen UTF-8-tekst.") from None
    spec = parse_doelenboom(tekst, "verzoek")
    boom, nieuw = bomen_ops.save_doelenboom(spec, door=current_user)
    log_audit(current_user, AuditActie.DOELENBOOM_GEIMPORTEERD, object_type="doelenboom", object_id=boom.code,
              details={"via": "api", "nieuw": nieuw})
    from verhalenbank.core.jobs import run_now_if_synchronous
    from verhalenbank.verhalen.verwerking import plan_boomwijziging

    plan_boomwijziging([boom.id])  # retag its stories as a job, batch by batch
    db.session.commit()
    antwoord = jsonify(weergave.doelenboom_volledig(boom))
    run_now_if_synchronous()
    return antwoord, 201 if nieuw else 200


# --- rondes --------------------------------------------------------------------------------


@bp.get("/rondes")
@vereist(Recht.VERHALEN_LEZEN)
def rondes_lijst():
    return jsonify(
        rondes=[weergave.ronde(r, publiek_formulier.ronde_status(r)) for r in rondes_ops.list_rondes()]
    )


@bp.get("/rondes/<slug>")
@vereist(Recht.VERHALEN_LEZEN)
def ronde_detail(slug: str):
    ronde = rondes_ops.get_ronde(slug)
    return jsonify(weergave.ronde(ronde, publiek_formulier.ronde_status(ronde)))


@bp.post("/rondes/<slug>/verhalen")
@publiek
def verhaal_insturen(slug: str):
    """Public intake, as the form at /r/<slug>: no login; idempotent through `inzend_sleutel`."""
    ronde = rondes_ops.find_ronde(slug)
    status = publiek_formulier.ronde_status(ronde)
    if status in ("onbekend", "nog_niet"):
        raise ApiFout(404, "Bij deze ronde kunt u (nog) geen verhaal insturen.")
    if status == "gesloten":
        raise ApiFout(410, "Deze ronde is gesloten. Er kunnen geen verhalen meer bij.")
    gegevens = _json_object(INZENDING_VELDEN)
    tekst = _tekstveld(gegevens, "tekst", verplicht=True)
    titel = _tekstveld(gegevens, "titel", max_lengte=verhalen_ops.MAX_TITEL_LENGTE)
    bron = _tekstveld(gegevens, "bron") or "inwoner"
    wijk = _tekstveld(gegevens, "wijk", max_lengte=200)
    sleutel = _tekstveld(gegevens, "inzend_sleutel")
    toestemming = _boolveld(gegevens, "toestemming", False)
    citeren = _boolveld(gegevens, "citeren", False)
    if sleutel is not None and not publiek_formulier.SLEUTEL_PATROON.match(sleutel):
        raise ApiFout(422, "De inzend_sleutel moet 16 tot 100 tekens zijn: letters, cijfers, - of _.")
    eerder = intake.eerdere_inzending(sleutel, ronde)  # Ongeldig (422) for another ronde's key
    if eerder is not None:
        return _herhaal_inzending(eerder)
    if not toestemming:
        raise ApiFout(422, "Zonder toestemming ('toestemming': true) kunnen we het verhaal niet bewaren.")
    if bron not in PUBLIEKE_BRONNEN:
        raise ApiFout(422, f"Onbekende bron '{bron}'. Kies uit: {', '.join(PUBLIEKE_BRONNEN)}.")
    if wijk and wijk not in (ronde.wijken or []):
        raise ApiFout(422, f"Onbekende wijk '{wijk}' voor deze ronde.")
    if publiek_formulier.is_rate_limited(ronde):
        raise ApiFout(429, "Er zijn vanaf dit netwerk veel verhalen tegelijk gestuurd. Probeer het over een uur opnieuw.")

    invoer = verhalen_ops.VerhaalInvoer(
        tekst=tekst, titel=titel or None, bron=bron, wijk=wijk or None, datum=date.today(),
        toestemming=True, citeren=citeren, toestemming_versie=publiek_formulier.TOESTEMMING_VERSIE,
        inzend_sleutel=sleutel or None,
    )
    try:
        inname = intake.neem_verhaal_in(invoer, ronde=ronde)
        verhaal_id, code = inname.verhaal.id, inname.intrekcode  # read before the commit expires it
        publiek_formulier._record_attempt(ronde)
        db.session.commit()
    except IntegrityError:
        # The same key arrived twice at the same moment: the other request stored it.
        db.session.rollback()
        eerder = verhalen_ops.find_by_inzend_sleutel(sleutel) if sleutel else None
        if eerder is None:
            raise
        return _herhaal_inzending(eerder)
    intake.plan_na_commit([verhaal_id])
    return _inzending_antwoord(code, 201)


def _inzending_antwoord(code: str, status: int):
    return jsonify(status="opgeslagen", intrekcode=code, intrek_url="/r/intrekken"), status


def _herhaal_inzending(verhaal: Verhaal):
    """A resend: a fresh code, since the first answer may never have arrived."""
    code = intake.herhaal(verhaal).intrekcode
    db.session.commit()
    return _inzending_antwoord(code, 200)


# --- verhalen ------------------------------------------------------------------------------


def _tags_param(toegestaan: tuple[str, ...] = TAG_STATUSES) -> str:
    """tags=alle|bevestigd|voorgesteld, as on the search page: which labels a filter looks at."""
    waarde = request.args.get("tags") or "alle"
    if waarde not in toegestaan:
        raise ApiFout(422, f"Onbekende waarde '{waarde}' voor tags. Kies uit: {', '.join(toegestaan)}.")
    return waarde


@bp.get("/doelenbomen/<code>/tellen")
@vereist(Recht.ZOEKEN)
def doelenboom_tellen(code: str):
    """The counts of the tellen page: per subdoel and indicator, confirmed and suggested apart."""
    from verhalenbank.zoeken.operations import get_backend
    from verhalenbank.zoeken.tellen import tel_doelenboom

    boom = bomen_ops.get_doelenboom(code)
    telling = tel_doelenboom(get_backend(), boom, alleen_bevestigd=_tags_param(("alle", "bevestigd")) == "bevestigd")
    return jsonify(weergave.telling(boom, telling))


@bp.get("/verhalen")
@vereist(Recht.VERHALEN_LEZEN)
def verhalen_lijst():
    from verhalenbank.verhalen.operations import zichtbare_verhalen

    pagina = _int_param("pagina", 1, 1, 100_000)
    per_pagina = _int_param("per_pagina", STANDAARD_PER_PAGINA, 1, MAX_PER_PAGINA)
    query = zichtbare_verhalen(current_user)
    if ronde_slug := request.args.get("ronde"):
        query = query.join(Ronde, Verhaal.ronde_id == Ronde.id).where(Ronde.slug == ronde_slug)
    if bron := request.args.get("bron"):
        if bron not in BRONNEN:
            raise ApiFout(422, f"Onbekende bron '{bron}'. Kies uit: {', '.join(BRONNEN)}.")
        query = query.where(Verhaal.bron == bron)
    if wijk := request.args.get("wijk"):
        query = query.where(Verhaal.wijk == wijk)
    if tekst := (request.args.get("q") or "").strip():
        query = query.where(Verhaal.id.in_(_matching_ids(tekst)))
    if aanbieder := request.args.get("aanbieder"):
        query = query.join(Organisatie, Verhaal.organisatie_id == Organisatie.id).where(Organisatie.slug == aanbieder)
    van, tot = _date_param("van"), _date_param("tot")
    if van is not None:
        query = query.where(Verhaal.datum >= van)
    if tot is not None:
        query = query.where(Verhaal.datum <= tot)
    subdoel_code = request.args.get("subdoel")
    boom_code = request.args.get("doelenboom")
    indicator_code = request.args.get("indicator")
    tag_status = _tags_param()
    if subdoel_code or boom_code or indicator_code or tag_status != "alle":
        tags = select(Tag.verhaal_id).join(Subdoel, Tag.subdoel_id == Subdoel.id).where(Tag.afgewezen.is_(False))
        if tag_status != "alle":
            tags = tags.where(Tag.bevestigd.is_(tag_status == "bevestigd"))
        if subdoel_code:
            tags = tags.where(Subdoel.code == subdoel_code)
        if boom_code:
            tags = tags.join(Doelenboom, Subdoel.doelenboom_id == Doelenboom.id).where(Doelenboom.code == boom_code)
        if indicator_code:
            tags = tags.join(Indicator, Tag.indicator_id == Indicator.id).where(Indicator.code == indicator_code)
        query = query.where(Verhaal.id.in_(tags))
    totaal = db.session.scalar(select(func.count()).select_from(query.subquery()))
    gevonden = db.session.scalars(
        query.order_by(Verhaal.created_at.desc(), Verhaal.id.desc()).offset((pagina - 1) * per_pagina).limit(per_pagina)
    ).all()
    return jsonify(
        verhalen=[weergave.verhaal(v, verhalen_ops.visible_tags(v)) for v in gevonden],
        totaal=totaal, pagina=pagina, per_pagina=per_pagina,
    )


@bp.get("/verhalen/<int:verhaal_id>")
@vereist(Recht.VERHALEN_LEZEN)
def verhaal_detail(verhaal_id: int):
    verhaal = _zichtbaar_verhaal(verhaal_id)
    antwoord = weergave.verhaal(verhaal, verhalen_ops.visible_tags(verhaal))
    origineel = request.args.get("origineel", "0")
    if origineel not in ("0", "1"):
        raise ApiFout(422, "De parameter 'origineel' moet 0 of 1 zijn.")
    if origineel == "1":
        if not heeft_recht(current_user, Recht.ORIGINELE_TEKST_ZIEN):
            raise ApiFout(403, "U mag de originele tekst niet zien.")
        reden = (request.args.get("reden") or "").strip()
        if len(reden) < 5 or len(reden) > 500:
            raise ApiFout(422, "Geef een reden (5 tot 500 tekens) om de originele tekst te zien: ?reden=…")
        log_audit(current_user, AuditActie.ORIGINELE_TEKST_BEKEKEN, object_type="verhaal", object_id=verhaal.id,
                  reden=reden, details={"via": "api"})
        db.session.commit()
        antwoord["origineel"] = {"titel": verhaal.titel, "tekst": verhaal.tekst}
    return jsonify(antwoord)


# --- tags ----------------------------------------------------------------------------------


def _subdoel_voor(verhaal: Verhaal, code: str, boom_code: str | None) -> Subdoel:
    query = select(Subdoel).join(Doelenboom, Subdoel.doelenboom_id == Doelenboom.id).where(Subdoel.code == code)
    if boom_code:
        query = query.where(Doelenboom.code == boom_code)
    elif verhaal.ronde is not None and verhaal.ronde.doelenbomen:
        query = query.where(Doelenboom.id.in_([b.id for b in verhaal.ronde.doelenbomen]))
    gevonden = db.session.scalars(query.order_by(Subdoel.id)).all()
    if not gevonden:
        raise ApiFout(422, f"Onbekend subdoel '{code}'.")
    if len(gevonden) > 1:
        raise ApiFout(422, f"Subdoel '{code}' staat in meer doelenbomen; geef ook 'doelenboom' mee.")
    return gevonden[0]


@bp.post("/verhalen/<int:verhaal_id>/tags")
@vereist(Recht.TAGS_BEOORDELEN)
def tag_toevoegen(verhaal_id: int):
    verhaal = _zichtbaar_verhaal(verhaal_id)
    gegevens = _json_object(TAG_VELDEN)
    code = _tekstveld(gegevens, "subdoel", verplicht=True, max_lengte=100)
    boom_code = _tekstveld(gegevens, "doelenboom", max_lengte=100)
    indicator_code = _tekstveld(gegevens, "indicator", max_lengte=100)
    subdoel = _subdoel_voor(verhaal, code, boom_code)
    indicator = None
    if indicator_code:
        indicator = db.session.scalar(
            select(Indicator).where(Indicator.subdoel_id == subdoel.id, Indicator.code == indicator_code)
        )
        if indicator is None:
            raise ApiFout(422, f"Indicator '{indicator_code}' hoort niet bij subdoel {subdoel.code}.")
    tag, nieuw = verhalen_ops.add_tag(verhaal, subdoel, indicator=indicator, door=current_user)
    log_audit(current_user, AuditActie.TAG_TOEGEVOEGD, object_type="tag", object_id=tag.id, details={"via": "api"})
    db.session.commit()
    _reindex(verhaal.id)
    return jsonify(weergave.tag(tag)), 201 if nieuw else 200


def _beoordeel(tag_id: int, bevestigd: bool):
    from verhalenbank.verhalen.operations import review_tag

    tag = _tag_or_404(tag_id)
    review_tag(tag, bevestigd=bevestigd, door=current_user)
    log_audit(current_user, AuditActie.TAG_BEVESTIGD if bevestigd else AuditActie.TAG_AFGEWEZEN, object_type="tag",
              object_id=tag.id, details={"via": "api"})
    from verhalenbank.core.jobs import run_now_if_synchronous
    from verhalenbank.verhalen.verwerking import plan_leren

    plan_leren([tag.subdoel.doelenboom_id])  # the tagger learns from the decision within seconds
    db.session.commit()
    _reindex(tag.verhaal_id)
    run_now_if_synchronous()
    return jsonify(weergave.tag(tag))


@bp.post("/tags/<int:tag_id>/bevestigen")
@vereist(Recht.TAGS_BEOORDELEN)
def tag_bevestigen(tag_id: int):
    return _beoordeel(tag_id, True)


@bp.post("/tags/<int:tag_id>/afwijzen")
@vereist(Recht.TAGS_BEOORDELEN)
def tag_afwijzen(tag_id: int):
    return _beoordeel(tag_id, False)

