"""Story intake, lookup, export and erasure (AVG: the export of everything stored about one
story, and erasure with what it cannot reach; retention is the rondes' `opschonen`).

A resident's story is stored first — validated, in one transaction, with analysis state
'te analyseren' — and only then analysed and indexed (see `verwerking.py`), so nothing that
can fail later can lose it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.models import AuditLog, Gebruiker, Organisatie
from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import mag_organisatie_zien, zichtbaar_voor
from verhalenbank.core import limits
from verhalenbank.core.sqlite_wal import checkpoint_wal
from verhalenbank.core.errors import NietGevonden, Ongeldig
from verhalenbank.core.models import utcnow
from verhalenbank.doelenbomen.models import Doelenboom, Subdoel
from verhalenbank.extensions import db
from verhalenbank.media.models import Foto
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen.models import (
    BRONNEN,
    AnalyseStatus,
    Contactgegevens,
    Tag,
    TagMethode,
    Verhaal,
    ZelfduidingAntwoord,
)

MAX_TEKST_LENGTE = limits.MAX_TEKST_LENGTE
MAX_TITEL_LENGTE = limits.MAX_TITEL_LENGTE
TOESTEMMING_VERSIE = "2026-1"


def zichtbare_verhalen(gebruiker: Gebruiker | None):
    """A query of the stories `gebruiker` may see at all (accounts.permissions' one rule)."""
    return select(Verhaal).where(zichtbaar_voor(gebruiker, Verhaal.organisatie_id))


def zichtbaar_verhaal(verhaal_id: int, gebruiker: Gebruiker | None) -> Verhaal | None:
    """The story if `gebruiker` may see it (the same rule), else None: also for another
    organisation's story, so that pages answer 404 and never confirm that it exists."""
    verhaal = db.session.get(Verhaal, verhaal_id)
    if verhaal is None or not mag_organisatie_zien(gebruiker, verhaal.organisatie_id):
        return None
    return verhaal


@dataclass
class VerhaalInvoer:
    tekst: str
    titel: str | None = None
    bron: str = "inwoner"
    wijk: str | None = None
    datum: date | None = None
    toestemming: bool = False
    citeren: bool = False
    toestemming_versie: str | None = None
    extern_id: str | None = None
    inzend_sleutel: str | None = None
    labels: list[str] = field(default_factory=list)
    zelfduiding: dict[str, list[str]] = field(default_factory=dict)
    contact: dict[str, str] = field(default_factory=dict)
    terugkoppeling: bool = False  # may hear back about the story (only kept with contact details)
    transcript_id: int | None = None
    transcript_positie: int | None = None
    transcript_tijd: str | None = None
    spreker: str | None = None
    context: str | None = None


def validate_invoer(invoer: VerhaalInvoer) -> None:
    tekst = (invoer.tekst or "").strip()
    if not tekst:
        raise Ongeldig("Het verhaal is leeg. Schrijf uw verhaal in het tekstvak.", veld="tekst")
    if len(tekst) > MAX_TEKST_LENGTE:
        raise Ongeldig(
            f"Het verhaal is te lang ({len(tekst)} tekens). Het mag maximaal {MAX_TEKST_LENGTE} tekens zijn.",
            veld="tekst",
        )
    if invoer.titel and len(invoer.titel.strip()) > MAX_TITEL_LENGTE:
        raise Ongeldig(f"De titel mag maximaal {MAX_TITEL_LENGTE} tekens zijn.", veld="titel")
    if invoer.bron not in BRONNEN:
        raise Ongeldig(
            f"Onbekende bron '{invoer.bron}'. Kies uit: {', '.join(BRONNEN)}.", veld="bron"
        )
    # Whatever the entry point: nothing the database would refuse or store unchecked.
    for veld, waarde in (("tekst", invoer.tekst), ("titel", invoer.titel), ("wijk", invoer.wijk), ("id", invoer.extern_id)):
        limits.check_tekstveld(waarde, limits.VERHAAL_VELDEN[veld], veld)


def _subdoelen_for_labels(ronde: Ronde | None, labels: list[str]) -> list[Subdoel]:
    bomen = ronde.doelenbomen if ronde is not None and ronde.doelenbomen else list(
        db.session.scalars(select(Doelenboom))
    )
    gevonden: list[Subdoel] = []
    for label in labels:
        matches = [s for boom in bomen for s in boom.subdoelen if s.code == label]
        if not matches:
            raise Ongeldig(f"Onbekend label '{label}': geen subdoel met die code in de doelenbomen van de ronde.", veld="labels")
        gevonden.extend(m for m in matches if m not in gevonden)
    return gevonden


def find_by_extern_id(extern_id: str) -> Verhaal | None:
    return db.session.scalar(select(Verhaal).where(Verhaal.extern_id == extern_id))


def find_by_inzend_sleutel(sleutel: str) -> Verhaal | None:
    return db.session.scalar(select(Verhaal).where(Verhaal.inzend_sleutel == sleutel))


def store_verhaal(
    invoer: VerhaalInvoer,
    *,
    ronde: Ronde | None = None,
    organisatie: Organisatie | None = None,
    ingediend_door: Gebruiker | None = None,
    beoordeeld_door: Gebruiker | None = None,
    intrekcode_hash: str | None = None,
) -> Verhaal:
    """Validate and store one story (flush only); analysis comes after the caller commits.
    `intrekcode_hash` (from `nieuwe_intrekcode`) goes in with the row, not as a later UPDATE."""
    validate_invoer(invoer)
    subdoelen = _subdoelen_for_labels(ronde, invoer.labels) if invoer.labels else []
    nu = utcnow()
    verhaal = Verhaal(
        extern_id=invoer.extern_id,
        inzend_sleutel=invoer.inzend_sleutel,
        tekst=invoer.tekst.strip(),
        titel=(invoer.titel or "").strip() or None,
        bron=invoer.bron,
        wijk=(invoer.wijk or "").strip() or None,
        datum=invoer.datum,
        toestemming=invoer.toestemming,
        toestemming_op=nu if invoer.toestemming else None,
        toestemming_versie=invoer.toestemming_versie if invoer.toestemming else None,
        citeren=invoer.citeren,
        ronde=ronde,
        organisatie=organisatie,
        ingediend_door=ingediend_door,
        analyse_status=AnalyseStatus.TE_ANALYSEREN,
        transcript_id=invoer.transcript_id,
        transcript_positie=invoer.transcript_positie,
        transcript_tijd=invoer.transcript_tijd,
        spreker=invoer.spreker,
        context=invoer.context,
        intrekcode_hash=intrekcode_hash,
    )
    db.session.add(verhaal)
    for subdoel in subdoelen:
        # Earlier manual coding: confirmed, and the tagger never sees it for this story.
        verhaal.tags.append(
            Tag(subdoel=subdoel, score=1.0, methode=TagMethode.HANDMATIG, bevestigd=True,
                beoordeeld_door=beoordeeld_door, beoordeeld_op=nu)
        )
    for vraag, antwoorden in invoer.zelfduiding.items():
        for antwoord in antwoorden:
            if antwoord:
                verhaal.zelfduiding_antwoorden.append(ZelfduidingAntwoord(vraag=vraag, antwoord=str(antwoord)[:200]))
    contact = {k: (v or "").strip() for k, v in invoer.contact.items()}
    if any(contact.values()):
        verhaal.contactgegevens = Contactgegevens(
            naam=contact.get("naam") or None, email=contact.get("email") or None,
            telefoon=contact.get("telefoon") or None, terugkoppeling=bool(invoer.terugkoppeling),
        )
    db.session.flush()
    return verhaal


def wijzig_toestemming(
    verhaal: Verhaal, *, toestemming: bool, citeren: bool, door: Gebruiker | None, reden: str
) -> bool:
    """Change a story's consent or quote consent, e.g. when the teller asks (flush only).

    Quoting needs consent, so withdrawing consent also withdraws quote consent. Returns whether
    anything changed; a change is written to the audit log with the reason.
    """
    if not (reden or "").strip():
        raise Ongeldig("Geef een reden op, bijvoorbeeld: ‘verteller belde op 3 juni’.", veld="reden")
    citeren = bool(citeren and toestemming)
    oud = {"toestemming": verhaal.toestemming, "citeren": verhaal.citeren}
    if oud == {"toestemming": toestemming, "citeren": citeren}:
        return False
    if toestemming and not verhaal.toestemming:
        verhaal.toestemming_op = utcnow()
        verhaal.toestemming_versie = TOESTEMMING_VERSIE
    verhaal.toestemming = toestemming
    verhaal.citeren = citeren
    log_audit(door, AuditActie.TOESTEMMING_GEWIJZIGD, object_type="verhaal", object_id=verhaal.id, reden=reden.strip(),
              details={"was": oud, "wordt": {"toestemming": toestemming, "citeren": citeren}})
    db.session.flush()
    return True


def nieuwe_intrekcode() -> tuple[str, str]:
    """A fresh personal withdrawal code for the teller and the hash to store (never the code)."""
    code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
    return code, hash_intrekcode(code)


def create_intrekcode(verhaal: Verhaal) -> str:
    """Give a stored story a fresh withdrawal code (flush only); returns the code."""
    code, verhaal.intrekcode_hash = nieuwe_intrekcode()
    db.session.flush()
    return code


def hash_intrekcode(code: str) -> str:
    normalised = code.strip().upper().replace(" ", "")
    return hashlib.sha256(normalised.encode()).hexdigest()


def find_by_intrekcode(code: str) -> Verhaal | None:
    if not code.strip():
        return None
    return db.session.scalar(select(Verhaal).where(Verhaal.intrekcode_hash == hash_intrekcode(code)))


def get_verhaal(verhaal_id: int) -> Verhaal:
    verhaal = db.session.get(Verhaal, verhaal_id)
    if verhaal is None:
        raise NietGevonden(f"Verhaal {verhaal_id} bestaat niet (meer).")
    return verhaal


# Who chose which stories as mattering most (waarderingssessies live in a higher domain and
# register their reader here): `lezer(verhaal_ids)` returns {story id: number of panels}.
_PANEL_LEZERS: list = []


def registreer_panel_lezer(lezer) -> None:
    if lezer not in _PANEL_LEZERS:
        _PANEL_LEZERS.append(lezer)


def door_panel_gekozen(verhaal_ids: list[int]) -> dict[int, int]:
    """For the story lists' marker: how many panels chose each of these stories."""
    aantallen: dict[int, int] = {}
    if not verhaal_ids:
        return aantallen
    for lezer in _PANEL_LEZERS:
        for verhaal_id, aantal in lezer(list(verhaal_ids)).items():
            aantallen[verhaal_id] = aantallen.get(verhaal_id, 0) + aantal
    return aantallen


def visible_tags(verhaal: Verhaal) -> list[Tag]:
    """Confirmed tags and non-rejected suggestions (only suggestions above threshold are stored)."""
    return [tag for tag in verhaal.tags if not tag.afgewezen]


def add_tag(verhaal: Verhaal, subdoel: Subdoel, *, indicator=None, door: Gebruiker | None) -> tuple[Tag, bool]:
    """A person links a story to a subdoel: a confirmed manual tag (or an existing suggestion
    for that subdoel, now confirmed). Returns the tag and whether it is new. Flushes."""
    if indicator is not None and indicator.subdoel_id != subdoel.id:
        raise Ongeldig(
            f"Indicator {indicator.code} hoort niet bij subdoel {subdoel.code}.", veld="indicator"
        )
    nu = utcnow()
    tag = next((t for t in verhaal.tags if t.subdoel_id == subdoel.id), None)
    nieuw = tag is None
    if nieuw:
        tag = Tag(subdoel=subdoel, score=1.0, methode=TagMethode.HANDMATIG)
        verhaal.tags.append(tag)
    tag.bevestigd, tag.afgewezen = True, False
    if indicator is not None:
        tag.indicator = indicator
    tag.beoordeeld_door, tag.beoordeeld_op = door, nu
    db.session.flush()
    return tag, nieuw


def review_tag(tag: Tag, *, bevestigd: bool, door: Gebruiker | None) -> Tag:
    """A person confirms or rejects a tag; the tagger learns from it. The caller reindexes."""
    tag.bevestigd = bevestigd
    tag.afgewezen = not bevestigd
    tag.beoordeeld_door_id = getattr(door, "id", None)
    tag.beoordeeld_op = utcnow()
    db.session.flush()
    return tag


# --- AVG: everything stored about one story ------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def tag_gegevens(tag: Tag) -> dict:
    """A tag as exports show it (the JSONL exchange format and the AVG export)."""
    return {
        "doelenboom": tag.subdoel.doelenboom.code,
        "subdoel": tag.subdoel.code,
        "indicator": tag.indicator.code if tag.indicator else None,
        "score": round(float(tag.score), 4),
        "methode": tag.methode,
        "bevestigd": tag.bevestigd,
    }


def verhaal_gegevens(verhaal: Verhaal) -> dict:
    """Everything the database holds about one story, for an AVG request (inzage)."""
    fotos = db.session.scalars(select(Foto).where(Foto.verhaal_id == verhaal.id).order_by(Foto.id)).all()
    audit = db.session.scalars(
        select(AuditLog)
        .where(AuditLog.object_type == "verhaal", AuditLog.object_id == str(verhaal.id))
        .order_by(AuditLog.tijdstip, AuditLog.id)
    ).all()
    contact = verhaal.contactgegevens
    return {
        "verhaal": {
            "id": verhaal.id,
            "extern_id": verhaal.extern_id,
            "titel": verhaal.titel,
            "tekst": verhaal.tekst,
            "titel_publiek": verhaal.titel_publiek,
            "tekst_publiek": verhaal.tekst_publiek,
            "bron": verhaal.bron,
            "wijk": verhaal.wijk,
            "datum": _iso(verhaal.datum),
            "ronde": verhaal.ronde.slug if verhaal.ronde else None,
            "organisatie": verhaal.organisatie.naam if verhaal.organisatie else None,
            "status": verhaal.status,
            "toestemming": verhaal.toestemming,
            "toestemming_op": _iso(verhaal.toestemming_op),
            "toestemming_versie": verhaal.toestemming_versie,
            "citeren": verhaal.citeren,
            "analyse_status": verhaal.analyse_status,
            "geanalyseerd_op": _iso(verhaal.geanalyseerd_op),
            "trefwoorden": verhaal.trefwoorden or [],
            "heeft_intrekcode": verhaal.intrekcode_hash is not None,
            "transcript_id": verhaal.transcript_id,
            "transcript_positie": verhaal.transcript_positie,
            "transcript_tijd": verhaal.transcript_tijd,
            "spreker": verhaal.spreker,
            "context": verhaal.context,
            "aangemaakt_op": _iso(verhaal.created_at),
            "gewijzigd_op": _iso(verhaal.updated_at),
        },
        "contactgegevens": (
            {"naam": contact.naam, "email": contact.email, "telefoon": contact.telefoon} if contact else None
        ),
        "zelfduiding": [{"vraag": a.vraag, "antwoord": a.antwoord} for a in verhaal.zelfduiding_antwoorden],
        "tags": [
            {**tag_gegevens(tag), "afgewezen": tag.afgewezen, "beoordeeld_op": _iso(tag.beoordeeld_op)}
            for tag in verhaal.tags
        ],
        "fotos": [
            {"bestand": f.bestand, "miniatuur": f.miniatuur, "breedte": f.breedte, "hoogte": f.hoogte,
             "aangemaakt_op": _iso(f.created_at)}
            for f in fotos
        ],
        "logboek": [
            {"tijdstip": _iso(r.tijdstip), "wie": r.gebruiker_email, "actie": r.actie, "reden": r.reden}
            for r in audit
        ],
    }


def avg_inzage(verhaal: Verhaal, *, door: Gebruiker | None) -> dict:
    """`verhaal_gegevens` handed out to `door`: the copy is audited (an export that erasure
    cannot reach later, see `erasure_details`). Flush only."""
    gegevens = verhaal_gegevens(verhaal)
    log_audit(door, AuditActie.AVG_EXPORT, object_type="verhaal", object_id=verhaal.id)
    db.session.flush()
    return gegevens


# --- erasure: what it cannot reach ----------------------------------------------------------


def is_export_actie(actie: str) -> bool:
    """Audit actions for files that left the app with stories in them (exports, PDFs)."""
    return "export" in actie or actie.endswith("_pdf") or actie == "avg_export"


def exports_since(moment: datetime | None) -> int:
    """How many exports were made since `moment`: files that may still hold an erased story."""
    query = select(AuditLog.actie)
    if moment is not None:
        query = query.where(AuditLog.tijdstip >= moment)
    return sum(1 for actie in db.session.scalars(query) if is_export_actie(actie))


def erasure_details(verhaal: Verhaal) -> dict:
    """Noted with an erasure: copies made before it (exports, PDFs, back-ups) still hold the
    story, and only the people who keep them can delete them."""
    return {
        "exports_sinds_opslaan": exports_since(verhaal.created_at),
        "let_op": "Eerdere exports, pdf's en back-ups bevatten dit verhaal nog.",
    }


def erase_verhaal(verhaal: Verhaal, *, door: Gebruiker | None, reden: str, details: dict | None = None) -> None:
    """AVG erasure: the story and everything hanging on it, plus files; audited without content.

    `details`: what else the audit entry should say (e.g. the setting behind an `opschonen`)."""
    from verhalenbank.transcripten.operations import erase_passage

    fotos = list(db.session.scalars(select(Foto).where(Foto.verhaal_id == verhaal.id)))
    bestanden = [naam for foto in fotos for naam in (foto.bestand, foto.miniatuur)]
    verhaal_id = verhaal.id
    details = {**erasure_details(verhaal), **(details or {})}
    _mark_models_for_retraining(verhaal)
    transcript_bestanden = erase_passage(verhaal)
    for foto in fotos:
        db.session.delete(foto)
    db.session.delete(verhaal)
    log_audit(door, AuditActie.VERHAAL_GEWIST, object_type="verhaal", object_id=verhaal_id, reden=reden, details=details)
    db.session.flush()
    _delete_files_after_commit(_photo_paths(bestanden) + list(transcript_bestanden))
    db.session().info[_CHECKPOINT_AFTER_COMMIT] = True


def _mark_models_for_retraining(verhaal: Verhaal) -> None:
    """A tagger trained on this story must forget it: mark the models of its trees stale."""
    from sqlalchemy import update

    from verhalenbank.nlp.models import TaggerModel

    boom_ids = {tag.subdoel.doelenboom_id for tag in verhaal.tags}
    if boom_ids:
        db.session.execute(
            update(TaggerModel).where(TaggerModel.doelenboom_id.in_(boom_ids)).values(moet_hertrainen=True)
        )


def _photo_paths(namen: list[str]) -> list[Path]:
    from flask import current_app

    map_ = current_app.config["VERHALENBANK"].photo_dir
    # Stored names are our own random hex names; never a path from outside.
    return [map_ / naam for naam in namen]


_FILES_AFTER_COMMIT = "verhalenbank_wis_na_commit"
_CHECKPOINT_AFTER_COMMIT = "verhalenbank_wal_na_commit"


def _delete_files_after_commit(paden: list[Path]) -> None:
    """Files of an erased story go when the erasure commits: a failed or rolled-back erasure
    keeps the rows and their files together."""
    db.session().info.setdefault(_FILES_AFTER_COMMIT, []).extend(paden)


@event.listens_for(Session, "after_commit")
def _delete_erased_files(session: Session) -> None:
    for pad in session.info.pop(_FILES_AFTER_COMMIT, []):
        pad.unlink(missing_ok=True)
    if session.info.pop(_CHECKPOINT_AFTER_COMMIT, False):
        # The erased rows' old bytes are still in the SQLite WAL file until a checkpoint.
        checkpoint_wal(db.engine)


@event.listens_for(Session, "after_rollback")
def _keep_files_of_undone_erasure(session: Session) -> None:
    session.info.pop(_FILES_AFTER_COMMIT, None)
    session.info.pop(_CHECKPOINT_AFTER_COMMIT, None)


def after_erase(verhaal_ids: list[int]) -> None:
    """After an erasure is committed: take the stories out of the search index and models."""
    from verhalenbank.verhalen.verwerking import verwijder_verwerking

    verwijder_verwerking(verhaal_ids)


# Stores outside the database that keep erased stories' words on disk until they rewrite their
# files give erasure a hook (the search index: zoeken's purge, wired in verhalenbank/app.py).
# `haak()` drops the erased stories from its files and returns how many parts it rewrote.
_WIS_HAKEN: list = []


def registreer_wis_haak(haak) -> None:
    if haak not in _WIS_HAKEN:
        _WIS_HAKEN.append(haak)


def purge_erased() -> int:
    """After erasures are committed: every registered store drops the erased stories from its
    files too (Whoosh; PostgreSQL deletes rows at once). Returns how many parts were rewritten."""
    return sum(haak() for haak in _WIS_HAKEN)
