"""AVG duties that cut across domains: the export of everything stored about one story, and
retention (deleting stories whose ronde's retention period has passed)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import select

from verhalenbank.accounts.models import AuditLog, Gebruiker
from verhalenbank.extensions import db
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen.models import Verhaal


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def verhaal_gegevens(verhaal: Verhaal) -> dict:
    """Everything the database holds about one story, for an AVG request (inzage)."""
    from verhalenbank.media.models import Foto

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
            {
                "doelenboom": tag.subdoel.doelenboom.code,
                "subdoel": tag.subdoel.code,
                "indicator": tag.indicator.code if tag.indicator else None,
                "score": round(float(tag.score), 4),
                "methode": tag.methode,
                "bevestigd": tag.bevestigd,
                "afgewezen": tag.afgewezen,
                "beoordeeld_op": _iso(tag.beoordeeld_op),
            }
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


# --- retention -----------------------------------------------------------------------------


def months_before(moment: datetime, maanden: int) -> datetime:
    """The same moment `maanden` calendar months earlier (day clipped to the month's length)."""
    jaar, maand = divmod(moment.year * 12 + (moment.month - 1) - maanden, 12)
    maand += 1
    dag = min(moment.day, calendar.monthrange(jaar, maand)[1])
    return moment.replace(year=jaar, month=maand, day=dag)


@dataclass
class OpschoonResultaat:
    per_ronde: dict[str, int] = field(default_factory=dict)
    verhaal_ids: list[int] = field(default_factory=list)

    @property
    def totaal(self) -> int:
        return len(self.verhaal_ids)


def expired_verhalen(nu: datetime | None = None) -> dict[Ronde, list[Verhaal]]:
    """Stories older (by created_at) than their ronde's retention period."""
    nu = nu or datetime.now(timezone.utc)
    result: dict[Ronde, list[Verhaal]] = {}
    rondes = db.session.scalars(
        select(Ronde).where(Ronde.bewaartermijn_maanden.is_not(None)).order_by(Ronde.slug)
    ).all()
    for ronde in rondes:
        # All timestamps are UTC (SQLite keeps them as UTC text, so compare in UTC too).
        grens = months_before(nu.astimezone(timezone.utc), ronde.bewaartermijn_maanden)
        verhalen = db.session.scalars(
            select(Verhaal).where(Verhaal.ronde_id == ronde.id, Verhaal.created_at < grens).order_by(Verhaal.id)
        ).all()
        if verhalen:
            result[ronde] = list(verhalen)
    return result


def opschonen(*, dry_run: bool, nu: datetime | None = None, door: Gebruiker | None = None) -> OpschoonResultaat:
    """Erase expired stories (flush only; the caller commits and then calls `after_erase`)."""
    from verhalenbank.verhalen.operations import erase_verhaal

    resultaat = OpschoonResultaat()
    for ronde, verhalen in expired_verhalen(nu).items():
        resultaat.per_ronde[ronde.slug] = len(verhalen)
        for verhaal in verhalen:
            resultaat.verhaal_ids.append(verhaal.id)
            if not dry_run:
                erase_verhaal(
                    verhaal, door=door,
                    reden=f"bewaartermijn van {ronde.bewaartermijn_maanden} maanden verlopen (ronde {ronde.slug})",
                )
    return resultaat


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


# --- the audit log in plain Dutch -----------------------------------------------------------

ACTIE_LABELS = {
    "originele_tekst_bekeken": "Originele tekst bekeken",
    "contactgegevens_bekeken": "Contactgegevens bekeken",
    "verhaal_gewist": "Verhaal gewist",
    "avg_export": "Alle gegevens van een verhaal gedownload (AVG)",
    "verhalen_geexporteerd": "Verhalen geëxporteerd",
    "zoekresultaten_geexporteerd": "Zoekresultaten geëxporteerd",
    "pakket_gemaakt": "Feedbackpakket gemaakt",
    "pakket_pdf": "Feedbackpakket als pdf gedownload",
    "pakket_export_qdpx": "Pakket geëxporteerd (REFI-QDA)",
    "pakket_export_csv": "Pakket geëxporteerd (CSV)",
    "transcript_geupload": "Transcript geüpload",
    "transcript_opgeslagen": "Verhalen uit transcript opgeslagen",
    "transcript_bestand_bekeken": "Origineel transcript gedownload",
    "transcript_gewist": "Transcript gewist",
    "gebruiker_aangemaakt": "Gebruiker aangemaakt",
    "gebruiker_uitgezet": "Gebruiker uitgezet",
    "gebruiker_actief": "Gebruiker weer aangezet",
    "wachtwoord_hersteld": "Nieuw wachtwoord gegeven",
    "eigen_wachtwoord_gewijzigd": "Eigen wachtwoord gewijzigd",
    "api_token_gemaakt": "API-token gemaakt",
    "api_token_ingetrokken": "API-token ingetrokken",
}


def actie_label(actie: str) -> str:
    """Plain words for an audit action; unknown ones readable from their code."""
    return ACTIE_LABELS.get(actie) or actie.replace("_", " ").capitalize()


def purge_search_index() -> int:
    """After erasures: make the search index drop erased stories from its files too (Whoosh;
    PostgreSQL deletes rows at once). Returns how many index segments were rewritten."""
    from verhalenbank.zoeken.operations import get_backend

    purge = getattr(get_backend(), "purge_deleted", None)
    return purge() if purge is not None else 0
