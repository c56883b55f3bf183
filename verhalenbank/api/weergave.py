"""JSON shapes of the API (kept in step with the schemas in `openapi.py`)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from verhalenbank.doelenbomen.models import Doelenboom
from verhalenbank.core.scores import score_in_woorden
from verhalenbank.core.models import as_utc
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen.models import Tag, Verhaal


def tijdstip(value: datetime | None) -> str | None:
    """RFC 3339 in UTC; SQLite hands back naive datetimes that are UTC already."""
    if value is None:
        return None
    return as_utc(value).astimezone(timezone.utc).isoformat()


def datum(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _doelenboom_kop(boom: Doelenboom) -> dict:
    return {
        "code": boom.code,
        "titel": boom.titel,
        "gemeente": boom.gemeente,
        "thema": boom.thema,
        "hoofddoel": boom.hoofddoel,
    }


def doelenboom_kort(boom: Doelenboom) -> dict:
    return {**_doelenboom_kop(boom), "aantal_subdoelen": len(boom.subdoelen)}


def doelenboom_volledig(boom: Doelenboom) -> dict:
    return {
        **_doelenboom_kop(boom),
        "bron": boom.bron,
        "subdoelen": [
            {
                "code": subdoel.code,
                "titel": subdoel.titel,
                "beschrijving": subdoel.beschrijving,
                "indicatoren": [
                    {"code": i.code, "titel": i.titel, "soort": i.soort} for i in subdoel.indicatoren
                ],
            }
            for subdoel in boom.subdoelen
        ],
    }


def ronde(ronde_: Ronde, status: str) -> dict:
    return {
        "slug": ronde_.slug,
        "titel": ronde_.titel,
        "vraag": ronde_.vraag,
        "beschrijving": ronde_.beschrijving,
        "start_datum": datum(ronde_.start_datum),
        "eind_datum": datum(ronde_.eind_datum),
        "status": status,
        "wijken": list(ronde_.wijken or []),
        "doelenbomen": [boom.code for boom in ronde_.doelenbomen],
        "bewaartermijn_maanden": ronde_.bewaartermijn_maanden,
    }


def tag(tag_: Tag) -> dict:
    return {
        "id": tag_.id,
        "verhaal_id": tag_.verhaal_id,
        "doelenboom": tag_.subdoel.doelenboom.code,
        "subdoel": tag_.subdoel.code,
        "indicator": tag_.indicator.code if tag_.indicator else None,
        "score": round(float(tag_.score), 4),
        "score_woorden": score_in_woorden(tag_.score, bool(tag_.bevestigd)),
        "methode": tag_.methode,
        "bevestigd": bool(tag_.bevestigd),
        "afgewezen": bool(tag_.afgewezen),
        "beoordeeld_op": tijdstip(tag_.beoordeeld_op),
    }


def verhaal(verhaal_: Verhaal, tags: list[Tag]) -> dict:
    """The pseudonymised story: what everyone with read access may see."""
    return {
        "id": verhaal_.id,
        "extern_id": verhaal_.extern_id,
        "titel": verhaal_.titel_publiek,
        "tekst": verhaal_.tekst_publiek,
        "bron": verhaal_.bron,
        "wijk": verhaal_.wijk,
        "datum": datum(verhaal_.datum),
        "ronde": verhaal_.ronde.slug if verhaal_.ronde else None,
        "citeren": bool(verhaal_.citeren),
        "analyse_status": verhaal_.analyse_status,
        "aangemaakt_op": tijdstip(verhaal_.created_at),
        "tags": [tag(t) for t in tags],
    }


def telling(boom_: Doelenboom, telling_) -> dict:
    """Counts per subdoel and indicator of one tree: confirmed and suggested kept apart."""

    def rij(staaf, onderdeel) -> dict:
        return {"code": onderdeel.code, "titel": onderdeel.titel,
                "bevestigd": staaf.waarde, "voorgesteld": staaf.tweede_waarde or 0}

    indicatoren = [indicator for subdoel in boom_.subdoelen for indicator in subdoel.indicatoren]
    return {
        "doelenboom": boom_.code,
        "totaal": telling_.totaal,
        "alleen_bevestigd": telling_.alleen_bevestigd,
        "verhalen_met_bevestigd_label": telling_.met_bevestigd,
        "subdoelen": [rij(staaf, subdoel) for staaf, subdoel in zip(telling_.subdoelen, boom_.subdoelen)],
        "indicatoren": [rij(staaf, indicator) for staaf, indicator in zip(telling_.indicatoren, indicatoren)],
    }
