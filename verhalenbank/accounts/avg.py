"""AVG duties that cut across domains: the export of everything stored about one story, and
retention (deleting stories whose ronde's retention period has passed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.models import AuditLog, Gebruiker
from verhalenbank.extensions import db
from verhalenbank.rondes.models import Ronde
from verhalenbank.rondes.operations import (  # noqa: F401
    bewaartermijn_herkomst, months_before, te_wissen_verhalen, verlopen_verhalen,
)
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


@dataclass
class OpschoonResultaat:
    per_ronde: dict[str, int] = field(default_factory=dict)
    verhaal_ids: list[int] = field(default_factory=list)
    # per ronde: the setting behind the erasure and who set it (see bewaartermijn_herkomst)
    herkomst: dict[str, dict] = field(default_factory=dict)
    # per ronde: (id, created_at) of each story erased, or to be erased on a dry run
    verhalen: dict[str, list[tuple[int, datetime]]] = field(default_factory=dict)
    # per ronde whose term was shortened lately: (stories past the new term that wait, the term
    # applied meanwhile (None: none), until when) — see rondes.operations.WACHTTIJD_DAGEN
    wachtend: dict[str, tuple[int, int | None, datetime]] = field(default_factory=dict)

    @property
    def totaal(self) -> int:
        return len(self.verhaal_ids)


def opschonen(*, dry_run: bool, nu: datetime | None = None, door: Gebruiker | None = None) -> OpschoonResultaat:
    """Erase stories past their ronde's bewaartermijn, except those a term shortened less than
    WACHTTIJD_DAGEN ago would erase (flush only; the caller commits and then calls `after_erase`)."""
    from verhalenbank.verhalen.operations import erase_verhaal

    resultaat = OpschoonResultaat()
    rondes = db.session.scalars(
        select(Ronde).where(Ronde.bewaartermijn_maanden.is_not(None)).order_by(Ronde.slug)
    ).all()
    for ronde in rondes:
        verhalen, wachtend, termijn = te_wissen_verhalen(ronde, nu=nu)
        if wachtend:
            resultaat.wachtend[ronde.slug] = (len(wachtend), termijn.maanden, termijn.wacht_tot)
        if not verhalen and not wachtend:
            continue
        herkomst = bewaartermijn_herkomst(ronde)
        resultaat.herkomst[ronde.slug] = herkomst
        if not verhalen:
            continue
        resultaat.per_ronde[ronde.slug] = len(verhalen)
        resultaat.verhalen[ronde.slug] = [(verhaal.id, verhaal.created_at) for verhaal in verhalen]
        for verhaal in verhalen:
            resultaat.verhaal_ids.append(verhaal.id)
            if not dry_run:
                # The audit entry names the setting and the person behind it.
                erase_verhaal(
                    verhaal, door=door,
                    reden=f"bewaartermijn van {termijn.maanden} maanden verlopen (ronde {ronde.slug})",
                    details={"ronde": ronde.slug, **herkomst, "toegepaste_termijn_maanden": termijn.maanden},
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

ACTIE_LABELS = {actie.value: actie.label for actie in AuditActie}


def actie_label(actie: str) -> str:
    """Plain words for an audit action; unknown ones readable from their code."""
    return ACTIE_LABELS.get(actie) or actie.replace("_", " ").capitalize()


def purge_search_index() -> int:
    """After erasures: make the search index drop erased stories from its files too (Whoosh;
    PostgreSQL deletes rows at once). Returns how many index segments were rewritten."""
    from verhalenbank.zoeken.operations import get_backend

    purge = getattr(get_backend(), "purge_deleted", None)
    return purge() if purge is not None else 0
