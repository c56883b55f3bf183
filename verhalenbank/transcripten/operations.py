"""Transcript upload, background reading, review edits, saving as verhalen, erasure.

Flow: `upload_transcript` checks the file and stores it under the data dir with a random name
(the upload name is only shown, never used as a path), then reads and splits it — at once for
small files, by a background job for large ones (transcripten/taken.py) (`Transcript.status`/`voortgang` show how far
it is). A person reviews the proposal (`bewerk_voorstel`, `pas_rollen_toe`) and saves it
(`sla_verhalen_op`): each passage becomes a Verhaal with bron 'transcript' through the normal
story intake, linked to the transcript with its position, time, pseudonymised speaker and the
facilitator's question as context.

Operations flush, never commit; the background job is an entry point and commits its own work.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from flask import current_app
from sqlalchemy import select

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.models import Gebruiker, Organisatie, Rol
from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import mag_organisatie_zien, zichtbaar_voor
from verhalenbank.core.errors import NietGevonden, Ongeldig
from verhalenbank.extensions import db
from verhalenbank.rondes.models import Ronde
from verhalenbank.transcripten import bewerken
from verhalenbank.transcripten.models import Transcript, TranscriptStatus
from verhalenbank.transcripten.taken import plan_lezen
from verhalenbank.transcripten.readers import (
    TranscriptLeesfout,
    controleer_grootte,
    formaat_van,
    lees_transcript,
)
from verhalenbank.transcripten.kop import lees_kopgegevens
from verhalenbank.transcripten.splitter import (
    ROL_FACILITATOR,
    ROL_PROFESSIONAL,
    ROL_VRIJWILLIGER,
    ROLLEN,
    Voorstel,
    stel_voor,
    vul_toestemming_aan,
    zet_toestemming_per_spreker,
)
from verhalenbank.verhalen.models import Verhaal

logger = logging.getLogger(__name__)

# Files above this size are read by a background job, so the upload returns at once.
ACHTERGROND_DREMPEL = 512 * 1024


@dataclass
class TranscriptInvoer:
    """What the upload form (or the CLI) says about the session."""

    ronde: Ronde | None = None
    organisatie: Organisatie | None = None
    activiteit: str | None = None
    datum: date | None = None
    wijk: str | None = None
    gespreksleider: str | None = None  # one or more names, comma separated
    toestemming_bevestigd: bool = False
    citeren: bool = False


# --- access ----------------------------------------------------------------------------------


def transcripten_query_voor(gebruiker: Gebruiker):
    """Transcripts a user may see: an aanbieder only their own organisation's."""
    return select(Transcript).where(zichtbaar_voor(gebruiker, Transcript.organisatie_id))


def lijst_transcripten(gebruiker: Gebruiker) -> list[Transcript]:
    query = transcripten_query_voor(gebruiker).order_by(Transcript.created_at.desc(), Transcript.id.desc())
    return list(db.session.scalars(query))


def get_transcript_voor(gebruiker: Gebruiker, transcript_id: int) -> Transcript:
    transcript = db.session.get(Transcript, transcript_id)
    # Another organisation's transcript looks the same as a missing one.
    if transcript is None or not mag_organisatie_zien(gebruiker, transcript.organisatie_id):
        raise NietGevonden(f"Transcript {transcript_id} bestaat niet (meer).")
    return transcript


def transcript_dir() -> Path:
    map_ = current_app.config["VERHALENBANK"].transcript_dir
    map_.mkdir(parents=True, exist_ok=True)
    return map_


def bestand_pad(transcript: Transcript) -> Path | None:
    if not transcript.bestand:
        return None
    # Our own random name; a stored value that is anything else is never used as a path.
    if not re.fullmatch(r"[0-9a-f]{32}\.(txt|docx|pdf|vtt|srt)", transcript.bestand):
        return None
    return transcript_dir() / transcript.bestand


# --- upload and reading ----------------------------------------------------------------------


def upload_transcript(
    inhoud: bytes,
    bestandsnaam: str,
    invoer: TranscriptInvoer,
    *,
    door: Gebruiker | None,
    achtergrond: bool | None = None,
) -> Transcript:
    """Check, store and (for small files at once) read a transcript.

    A bad small file raises `TranscriptLeesfout` before anything is stored. A large file is
    checked for format and size here and read by a job (`taken.plan_lezen`, committed with the
    upload); if it turns out unreadable, the transcript shows the reason and its
    file is removed.
    """
    naam = Path(bestandsnaam or "").name[:300] or "transcript"
    formaat = formaat_van(naam)
    controleer_grootte(naam, len(inhoud))
    if door is not None and door.rol == Rol.AANBIEDER.value:
        if door.organisatie_id is None:
            raise Ongeldig("Uw account hoort niet bij een organisatie. Vraag de beheerder dit te regelen.")
        if invoer.organisatie is not None and invoer.organisatie.id != door.organisatie_id:
            raise Ongeldig("U kunt alleen transcripten voor uw eigen organisatie uploaden.")
        invoer.organisatie = door.organisatie

    if achtergrond is None:
        achtergrond = len(inhoud) > ACHTERGROND_DREMPEL
    voorstel: Voorstel | None = None
    if not achtergrond:
        voorstel = _lees_en_splits(inhoud, naam, invoer.gespreksleider)

    bestand = f"{secrets.token_hex(16)}.{formaat}"
    transcript = Transcript(
        organisatie=invoer.organisatie,
        ronde=invoer.ronde,
        origineel_naam=naam,
        bestand=bestand,
        formaat=formaat,
        activiteit=_leeg_is_none(invoer.activiteit),
        datum=invoer.datum,
        wijk=_leeg_is_none(invoer.wijk),
        gespreksleider=_leeg_is_none(invoer.gespreksleider),
        toestemming_bevestigd=invoer.toestemming_bevestigd,
        citeren=invoer.citeren,
        geupload_door=door,
        status=TranscriptStatus.VERWERKEN,
        voortgang=0,
    )
    if voorstel is not None:
        _zet_voorstel(transcript, voorstel)
    db.session.add(transcript)
    pad = transcript_dir() / bestand
    pad.write_bytes(inhoud)
    try:
        db.session.flush()
        log_audit(door, AuditActie.TRANSCRIPT_GEUPLOAD, object_type="transcript", object_id=transcript.id,
                  details={"formaat": formaat, "grootte": len(inhoud)})
        if voorstel is None:
            plan_lezen(transcript.id)  # a worker reads it once this upload is committed
    except Exception:
        pad.unlink(missing_ok=True)
        raise
    return transcript


def _lees_en_splits(
    inhoud: bytes, naam: str, gespreksleider: str | None, *, rollen: dict[str, str] | None = None,
    voortgang: Callable[[int], None] | None = None,
) -> Voorstel:
    gelezen = lees_transcript(inhoud, naam, voortgang=voortgang)
    voorstel = stel_voor(gelezen, gespreksleiders=gespreksleider_namen(gespreksleider), rollen=rollen)
    if not voorstel.passages:
        raise TranscriptLeesfout(
            f"In ‘{naam}’ staan geen verhalen: alleen de gespreksleider spreekt, of de tekst is te kort."
        )
    return voorstel


def gespreksleider_namen(tekst: str | None) -> list[str]:
    return [deel.strip() for deel in re.split(r",|;|\s+en\s+|&", tekst or "") if deel.strip()]


def _zet_voorstel(transcript: Transcript, voorstel: Voorstel) -> None:
    _vul_aan_uit_kop(transcript, voorstel)
    vul_toestemming_aan(voorstel, toestemming=transcript.toestemming_bevestigd, citeren=transcript.citeren)
    # A new dict each time, so SQLAlchemy sees the JSON change.
    transcript.voorstel = voorstel.to_dict()
    transcript.melding = "\n".join(voorstel.meldingen) or None
    transcript.status = TranscriptStatus.TE_BEOORDELEN
    transcript.voortgang = 100
    transcript.fout = None


def _vul_aan_uit_kop(transcript: Transcript, voorstel: Voorstel) -> None:
    """Date, wijk and ronde from the transcript's header, where the uploader left them empty."""
    if transcript.ronde is None:
        slug = lees_kopgegevens(voorstel.kopgegevens).ronde_slug
        if slug:
            transcript.ronde = db.session.scalar(select(Ronde).where(Ronde.slug == slug))
    wijken = list(transcript.ronde.wijken or []) if transcript.ronde is not None else []
    kop = lees_kopgegevens(voorstel.kopgegevens, wijken)
    if transcript.datum is None and kop.datum is not None:
        transcript.datum = kop.datum
    if not transcript.wijk and kop.wijk:
        transcript.wijk = kop.wijk


def verwerk_transcript(transcript_id: int) -> None:
    """Job: read and split a stored transcript, updating status and progress. Commits."""
    transcript = db.session.get(Transcript, transcript_id)
    if transcript is None or transcript.status != TranscriptStatus.VERWERKEN:
        return
    pad = bestand_pad(transcript)
    laatst: list[int] = [0]

    def voortgang(procent: int) -> None:
        # Only write when it moved visibly, so a 500-page PDF is not 500 commits.
        procent = max(0, min(99, procent))
        if procent - laatst[0] >= 5:
            laatst[0] = procent
            transcript.voortgang = procent
            db.session.commit()

    try:
        if pad is None or not pad.is_file():
            raise TranscriptLeesfout(f"Het bestand van ‘{transcript.origineel_naam}’ is er niet meer.")
        voortgang(5)
        voorstel = _lees_en_splits(
            pad.read_bytes(), transcript.origineel_naam, transcript.gespreksleider,
            voortgang=lambda p: voortgang(5 + p * 85 // 100),
        )
        _zet_voorstel(transcript, voorstel)
        db.session.commit()
    except TranscriptLeesfout as fout:
        db.session.rollback()
        _markeer_mislukt(transcript, fout.bericht)
    except Exception:
        logger.exception("Transcript %s could not be processed", transcript_id)
        db.session.rollback()
        _markeer_mislukt(
            transcript, f"‘{transcript.origineel_naam}’ kon niet verwerkt worden door een fout bij ons. "
            "Probeer het later opnieuw of neem contact op met de beheerder."
        )


def _markeer_mislukt(transcript: Transcript, bericht: str) -> None:
    """Nothing of a refused file is kept: the file goes, the record only says why."""
    pad = bestand_pad(transcript)
    transcript.status = TranscriptStatus.MISLUKT
    transcript.fout = bericht
    transcript.voortgang = 100
    transcript.bestand = None
    transcript.voorstel = None
    db.session.commit()
    if pad is not None:
        pad.unlink(missing_ok=True)


# --- review ----------------------------------------------------------------------------------


def voorstel_van(transcript: Transcript) -> Voorstel:
    if transcript.status != TranscriptStatus.TE_BEOORDELEN or not transcript.voorstel:
        raise Ongeldig("Dit transcript kan nu niet worden beoordeeld.")
    return Voorstel.from_dict(transcript.voorstel)


def bewerk_voorstel(
    transcript: Transcript, actie: str, teksten: list[str] | None, *, splits_op: int | None = None,
    toestemming: list[tuple[bool | None, bool | None]] | None = None,
    sprekers_toestemming: dict[str, tuple[bool | None, bool | None]] | None = None,
) -> Voorstel:
    """Apply a review form post (edited texts, consent per story and speaker, one action) and
    store the result."""
    voorstel = voorstel_van(transcript)
    if toestemming is not None or sprekers_toestemming:
        voorstel = bewerken.pas_toestemming_aan(voorstel, toestemming, sprekers_toestemming)
    naam, _, rest = (actie or "").partition(":")
    if naam == "splitsen" and splits_op is not None:
        voorstel = bewerken.pas_teksten_aan(voorstel, teksten)
        try:
            voorstel = bewerken.splits(voorstel, int(rest), op_teken=splits_op)
        except ValueError:
            raise Ongeldig("Onbekende actie.") from None
    else:
        voorstel = bewerken.voer_uit(voorstel, actie, teksten)
    _bewaar_bewerking(transcript, voorstel)
    return voorstel


def pas_rollen_toe(transcript: Transcript, rollen: dict[str, str]) -> Voorstel:
    """Split again with the roles a person chose (edits to texts are redone from the file)."""
    voorstel = voorstel_van(transcript)
    onbekend = [rol for rol in rollen.values() if rol not in ROLLEN]
    if onbekend:
        raise Ongeldig(f"Onbekende rol '{onbekend[0]}'. Kies inwoner, vrijwilliger, professional of gespreksleider.")
    pad = bestand_pad(transcript)
    if pad is None or not pad.is_file():
        raise Ongeldig("Het originele bestand is er niet meer; de rollen kunnen niet opnieuw worden toegepast.")
    nieuw = stel_voor(
        lees_transcript(pad.read_bytes(), transcript.origineel_naam),
        gespreksleiders=gespreksleider_namen(transcript.gespreksleider),
        rollen={**voorstel.rollen, **rollen},
    )
    # The consent a person chose per speaker survives splitting again.
    zet_toestemming_per_spreker(nieuw, voorstel.toestemming, voorstel.citeren)
    _bewaar_bewerking(transcript, nieuw)
    return nieuw


def _bewaar_bewerking(transcript: Transcript, voorstel: Voorstel) -> None:
    transcript.voorstel = voorstel.to_dict()
    db.session.flush()


# --- saving as verhalen ----------------------------------------------------------------------


def sprekers_pseudoniemen(voorstel: Voorstel) -> dict[str, str]:
    """Speaker name -> what others see: 'Gespreksleider', 'Deelnemer 3', 'Professional 1'."""
    pseudoniemen: dict[str, str] = {}
    tellers = {"deelnemer": 0, "professional": 0, "vrijwilliger": 0}
    for spreker, rol in voorstel.rollen.items():
        if rol == ROL_FACILITATOR:
            pseudoniemen[spreker] = "Gespreksleider"
        elif rol == ROL_PROFESSIONAL:
            tellers["professional"] += 1
            pseudoniemen[spreker] = f"Professional {tellers['professional']}"
        elif rol == ROL_VRIJWILLIGER:
            tellers["vrijwilliger"] += 1
            pseudoniemen[spreker] = f"Vrijwilliger {tellers['vrijwilliger']}"
        else:
            tellers["deelnemer"] += 1
            pseudoniemen[spreker] = f"Deelnemer {tellers['deelnemer']}"
    return pseudoniemen


def pseudonimiseer_sprekers(tekst: str | None, pseudoniemen: dict[str, str]) -> str | None:
    """Replace the speakers' names (labels and mentions) by their pseudonyms."""
    if not tekst:
        return tekst
    for naam in sorted(pseudoniemen, key=len, reverse=True):
        tekst = re.sub(rf"(?<!\w){re.escape(naam)}(?!\w)", pseudoniemen[naam], tekst)
    return tekst


def sla_verhalen_op(transcript: Transcript, *, door: Gebruiker | None, beoordeeld: bool = True) -> list[Verhaal]:
    """Store every passage of the proposal as a Verhaal (flush only), each with its own consent.

    `beoordeeld`: a person reviewed the consent of every story (the review page); a story
    without consent is then refused with a message. Without review (CLI import) consent is
    what the operator confirmed for the session, never over a 'no' the transcript records,
    and a story whose teller refused is left out. Unknown quote consent is never 'yes'.
    """
    from verhalenbank.verhalen.operations import TOESTEMMING_VERSIE, VerhaalInvoer, store_verhaal

    voorstel = voorstel_van(transcript)
    if not voorstel.passages:
        raise Ongeldig("Er zijn geen verhalen om op te slaan.")
    leeg = bewerken.lege_passages(voorstel)
    if leeg:
        raise Ongeldig(f"Verhaal {leeg[0] + 1} is leeg. Vul het aan of verwijder het.")
    if beoordeeld:
        zonder = [i for i, passage in enumerate(voorstel.passages) if passage.toestemming is not True]
        if zonder:
            passage = voorstel.passages[zonder[0]]
            wie = f" ({passage.spreker})" if passage.spreker else ""
            raise Ongeldig(
                f"Verhaal {zonder[0] + 1}{wie} heeft geen toestemming. Zet ‘Toestemming’ op ‘ja’ als de "
                "verteller die gaf, of verwijder het verhaal."
            )
    pseudoniemen = sprekers_pseudoniemen(voorstel)
    verhalen: list[Verhaal] = []
    weggelaten = 0
    for passage in voorstel.passages:
        if beoordeeld:
            toestemming = passage.toestemming is True
            citeren = toestemming and passage.citeren is True
        else:
            if passage.toestemming is False:
                weggelaten += 1
                continue
            toestemming = transcript.toestemming_bevestigd
            citeren = toestemming and transcript.citeren and passage.citeren is not False
        invoer = VerhaalInvoer(
            tekst=passage.tekst,
            bron="transcript",
            wijk=transcript.wijk,
            datum=transcript.datum,
            toestemming=toestemming,
            toestemming_versie=TOESTEMMING_VERSIE if toestemming else None,
            citeren=citeren,
            transcript_id=transcript.id,
            transcript_positie=passage.positie,
            transcript_tijd=passage.tijd,
            spreker=pseudoniemen.get(passage.spreker) if passage.spreker else None,
            context=pseudonimiseer_sprekers(passage.context, pseudoniemen),
        )
        verhalen.append(
            store_verhaal(invoer, ronde=transcript.ronde, organisatie=transcript.organisatie, ingediend_door=door)
        )
    if weggelaten:
        melding = f"{weggelaten} verhaal/verhalen niet opgeslagen: de verteller gaf geen toestemming."
        transcript.melding = "\n".join(filter(None, [transcript.melding, melding]))
    transcript.status = TranscriptStatus.OPGESLAGEN
    log_audit(door, AuditActie.TRANSCRIPT_OPGESLAGEN, object_type="transcript", object_id=transcript.id,
              details={"verhalen": len(verhalen), "citeerbaar": sum(1 for v in verhalen if v.citeren),
                       "zonder_toestemming_weggelaten": weggelaten})
    db.session.flush()
    return verhalen


def verhalen_van(transcript: Transcript) -> list[Verhaal]:
    return list(
        db.session.scalars(
            select(Verhaal).where(Verhaal.transcript_id == transcript.id).order_by(Verhaal.transcript_positie, Verhaal.id)
        )
    )


# --- import without review (CLI) -------------------------------------------------------------


def importeer_transcript(
    pad: Path, invoer: TranscriptInvoer, *, door: Gebruiker | None = None
) -> tuple[Transcript, list[Verhaal]]:
    """Upload and save at once, without the review step (flush only)."""
    transcript = upload_transcript(pad.read_bytes(), pad.name, invoer, door=door, achtergrond=False)
    return transcript, sla_verhalen_op(transcript, door=door, beoordeeld=False)


# --- erasure ---------------------------------------------------------------------------------


def wis_transcript(transcript: Transcript, *, door: Gebruiker | None, reden: str | None = None) -> None:
    """Erase the original file and the proposal; stories already saved from it stay (they have
    their own consent and erasure) and lose the link."""
    pad = bestand_pad(transcript)
    transcript_id = transcript.id
    for verhaal in verhalen_van(transcript):
        verhaal.transcript_id = None
    db.session.delete(transcript)
    log_audit(door, AuditActie.TRANSCRIPT_GEWIST, object_type="transcript", object_id=transcript_id, reden=reden)
    db.session.flush()
    if pad is not None:
        pad.unlink(missing_ok=True)


def _leeg_is_none(tekst: str | None) -> str | None:
    tekst = (tekst or "").strip()
    return tekst or None


__all__ = [
    "ACHTERGROND_DREMPEL",
    "TranscriptInvoer",
    "TranscriptLeesfout",
    "bestand_pad",
    "bewerk_voorstel",
    "get_transcript_voor",
    "importeer_transcript",
    "lijst_transcripten",
    "pas_rollen_toe",
    "sla_verhalen_op",
    "upload_transcript",
    "verhalen_van",
    "verwerk_transcript",
    "wis_transcript",
]


# --- AVG erasure of a story split from a transcript -----------------------------------------

GEWIST = "[gewist]"
BESTAND_GEWIST_MELDING = (
    "Het originele bestand is gewist, omdat een verhaal uit deze sessie is gewist (AVG). "
    "De andere verhalen blijven bewaard."
)


def _zonder_naam(waarde, naam: str):
    """`waarde` (text, list or dict from the stored proposal) with `naam` replaced everywhere."""
    if isinstance(waarde, str):
        return re.sub(rf"(?<!\w){re.escape(naam)}(?!\w)", GEWIST, waarde)
    if isinstance(waarde, list):
        return [_zonder_naam(item, naam) for item in waarde]
    if isinstance(waarde, dict):
        return {_zonder_naam(k, naam): _zonder_naam(v, naam) for k, v in waarde.items()}
    return waarde


def erase_passage(verhaal: Verhaal) -> list[Path]:
    """A story split from a transcript also lives in that transcript: as a passage of the stored
    proposal and in the original file. Drop the passage, blank the speaker's name when nothing
    else of theirs is left, and take away the original file (a .docx or .pdf cannot be edited
    safely). Flushes; returns the file paths to delete once the erasure is committed."""
    if verhaal.transcript_id is None:
        return []
    transcript = db.session.get(Transcript, verhaal.transcript_id)
    if transcript is None:
        return []
    voorstel = dict(transcript.voorstel or {})
    passages = list(voorstel.get("passages") or [])
    weg = [p for p in passages if p.get("positie") == verhaal.transcript_positie]
    if weg:
        passages = [p for p in passages if p not in weg]
        voorstel["passages"] = passages
        sprekers = {p.get("spreker") for p in weg if p.get("spreker")}
        nog_aan_het_woord = {p.get("spreker") for p in passages}
        for naam in sorted(sprekers - nog_aan_het_woord, key=len, reverse=True):
            for sleutel in ("rollen", "beurten"):
                (voorstel.get(sleutel) or {}).pop(naam, None)
            voorstel = _zonder_naam(voorstel, naam)
        transcript.voorstel = voorstel  # a new dict, so the JSON column is written
    pad = bestand_pad(transcript)
    transcript.bestand = None
    if pad is not None:
        transcript.melding = BESTAND_GEWIST_MELDING
    db.session.flush()
    return [pad] if pad is not None else []
