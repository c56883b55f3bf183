"""Waarderingssessies: prepare, join, choose, record the group's choice, close; and what they feed.

Safeguards held here, for every entry point:
- a panel only ever sees stories of the session's ronde that are active, consented, analysed
  (`tekst_publiek`) and may be quoted (`citeren`): panels are outsiders;
- participants get `tekst_publiek` / `titel_publiek` only, never originals or contact details;
- a participant is a random key in their browser (no account); only its hash is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from itertools import zip_longest

from sqlalchemy import func, select

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.models import Gebruiker
from verhalenbank.accounts.operations import log_audit
from verhalenbank.core.errors import NietGevonden, Ongeldig
from verhalenbank.core.models import utcnow
from verhalenbank.doelenbomen.models import Subdoel
from verhalenbank.extensions import db
from verhalenbank.pakketten import operations as pakket_operations
from verhalenbank.pakketten.gegevens import GroepskeuzeInfo
from verhalenbank.pakketten.tekst import titel_uit_tekst
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen import operations as verhaal_operations
from verhalenbank.verhalen.models import Verhaal, VerhaalStatus
from verhalenbank.waarderen.models import (
    Deelnemer,
    DeelnemerKeuze,
    Groepskeuze,
    SessieDomein,
    SessieIndeling,
    SessieStatus,
    SessieVerhaal,
    Waarderingssessie,
)

STANDAARD_VRAAG = "Welk verhaal laat het beste zien wat er veranderd is, en waarom?"
VERHALEN_PER_SUBDOEL = 4
MAX_VERHALEN_PER_SUBDOEL = 8
MIN_REDEN = 3
MAX_REDEN = 600
MAX_PANEL = 40
MAX_DOMEINEN = 8
# Most Significant Change's usual domains, in plain words; the facilitator renames or adds.
STANDAARD_DOMEINEN = (
    "Veranderingen in het dagelijks leven van mensen",
    "Veranderingen in hoe mensen meedoen en elkaar helpen",
    "Andere veranderingen",
)
# No 0/O, 1/I/L: the code is read aloud and typed on a phone.
_CODE_TEKENS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTE = 6


# ---------------------------------------------------------------------------------------------
# Which stories a panel may see
# ---------------------------------------------------------------------------------------------


def _mag_naar_panel(verhaal: Verhaal, ronde: Ronde) -> bool:
    return (
        verhaal.ronde_id == ronde.id
        and verhaal.status == VerhaalStatus.ACTIEF
        and bool(verhaal.toestemming)
        and bool(verhaal.citeren)
        and bool(verhaal.tekst_publiek)
    )


def publieke_titel(verhaal: Verhaal) -> str:
    return verhaal.titel_publiek or titel_uit_tekst(verhaal.tekst_publiek or "")


def subdoelen_van(ronde: Ronde) -> list[Subdoel]:
    return [s for boom in ronde.doelenbomen for s in boom.subdoelen]


def kiesbare_verhalen(ronde: Ronde) -> list[Verhaal]:
    """Every story of the ronde a panel may see."""
    query = select(Verhaal).where(
        Verhaal.ronde_id == ronde.id, Verhaal.status == VerhaalStatus.ACTIEF, Verhaal.toestemming.is_(True),
        Verhaal.citeren.is_(True), Verhaal.tekst_publiek.is_not(None),
    ).order_by(Verhaal.datum, Verhaal.id)
    return [v for v in db.session.scalars(query) if v.tekst_publiek]


def is_per_domein(sessie: Waarderingssessie) -> bool:
    return sessie.indeling == SessieIndeling.DOMEIN


def onderdeel_van(rij: SessieVerhaal | DeelnemerKeuze | Groepskeuze) -> int:
    """The part of its session a row belongs to: its domain of change, or its subdoel."""
    return rij.domein_id if rij.domein_id is not None else rij.subdoel_id


def _onderdeel_velden(sessie: Waarderingssessie, onderdeel_id: int) -> dict[str, int]:
    return {"domein_id": onderdeel_id} if is_per_domein(sessie) else {"subdoel_id": onderdeel_id}


@dataclass
class DomeinInvoer:
    """A domain of change as the facilitator names it, with the subdoelen it covers (optional)."""

    naam: str
    subdoel_ids: list[int] = field(default_factory=list)


def standaard_domeinen() -> list[DomeinInvoer]:
    return [DomeinInvoer(naam) for naam in STANDAARD_DOMEINEN]


def controleer_domeinen(ronde: Ronde, domeinen: list[DomeinInvoer]) -> list[DomeinInvoer]:
    """Clean names, drop rows without a name, check the subdoelen belong to the ronde."""
    doelen = {s.id for s in subdoelen_van(ronde)}
    schoon: list[DomeinInvoer] = []
    for domein in domeinen:
        naam = " ".join((domein.naam or "").split())[:200]
        if not naam:
            continue
        if naam.lower() in {d.naam.lower() for d in schoon}:
            raise Ongeldig(f"Het domein ‘{naam}’ staat er twee keer in.", veld="domeinen")
        ids = list(dict.fromkeys(int(i) for i in domein.subdoel_ids))
        if any(i not in doelen for i in ids):
            raise Ongeldig("Dit doel hoort niet bij de ronde.", veld="domeinen")
        schoon.append(DomeinInvoer(naam, ids))
    if not schoon:
        raise Ongeldig("Geef minstens één domein van verandering een naam.", veld="domeinen")
    if len(schoon) > MAX_DOMEINEN:
        raise Ongeldig(f"Een sessie heeft hoogstens {MAX_DOMEINEN} domeinen.", veld="domeinen")
    return schoon


def stel_domein_selectie_voor(
    ronde: Ronde, domeinen: list[DomeinInvoer], per_domein: int = VERHALEN_PER_SUBDOEL
) -> dict[int, list[int]]:
    """Suggested stories per domain (keyed by its position in `domeinen`).

    A domain that covers subdoelen gets their suggested stories, taken in turn from each; a
    domain without subdoelen ("any other change") gets the stories that fit no subdoel first.
    A story is suggested for one domain only; the facilitator moves or adds stories."""
    per_subdoel = stel_selectie_voor(ronde, per_subdoel=MAX_VERHALEN_PER_SUBDOEL)
    voorstel: dict[int, list[int]] = {}
    gebruikt: set[int] = set()
    for plek, domein in enumerate(domeinen):
        if not domein.subdoel_ids:
            continue
        ids: list[int] = []
        for rij in zip_longest(*(per_subdoel.get(s, []) for s in domein.subdoel_ids)):
            ids += [v for v in rij if v is not None and v not in ids and v not in gebruikt]
        voorstel[plek] = ids[:per_domein]
        gebruikt.update(voorstel[plek])
    vrij = [plek for plek, domein in enumerate(domeinen) if not domein.subdoel_ids]
    if vrij:
        in_een_doel = {v for ids in per_subdoel.values() for v in ids}
        kiesbaar = [v.id for v in kiesbare_verhalen(ronde) if v.id not in gebruikt]
        volgorde = [v for v in kiesbaar if v not in in_een_doel] + [v for v in kiesbaar if v in in_een_doel]
        for n, verhaal_id in enumerate(volgorde[: per_domein * len(vrij)]):
            voorstel.setdefault(vrij[n % len(vrij)], []).append(verhaal_id)
    return voorstel


def stel_selectie_voor(ronde: Ronde, per_subdoel: int = VERHALEN_PER_SUBDOEL) -> dict[int, list[int]]:
    """Suggested stories per subdoel: the pack's representative stories and contrasting voices
    (confirmed tags), so the panel reads both what is typical and what goes wrong."""
    _, inhoud = pakket_operations.build_inhoud_voor_ronde(ronde, pakket_operations.vernauwing_van())
    voorstel: dict[int, list[int]] = {}
    for boom in inhoud.bomen:
        for sectie in boom.subdoelen:
            ids = [int(v.sleutel) for v in [*sectie.representatief, *sectie.tegengeluid]]
            voorstel[int(sectie.subdoel.sleutel)] = list(dict.fromkeys(ids))[:per_subdoel]
    return voorstel


# ---------------------------------------------------------------------------------------------
# Preparing
# ---------------------------------------------------------------------------------------------


def _nieuwe_code() -> str:
    for _ in range(20):
        code = "".join(secrets.choice(_CODE_TEKENS) for _ in range(CODE_LENGTE))
        if db.session.scalar(select(Waarderingssessie.id).where(Waarderingssessie.code == code)) is None:
            return code
    raise RuntimeError("no free session code")  # pragma: no cover - 31^6 codes


def _panel(namen: list[str]) -> list[str]:
    schoon = [" ".join(n.split())[:100] for n in namen if n and n.strip()]
    if len(schoon) > MAX_PANEL:
        raise Ongeldig(f"Een panel heeft hoogstens {MAX_PANEL} namen of rollen.", veld="panel")
    return schoon


def _zet_selectie(sessie: Waarderingssessie, selectie: dict[int, list[int]]) -> None:
    """The stories per part: keys are subdoel ids, or domain ids in a session per domain."""
    ronde = sessie.ronde
    if is_per_domein(sessie):
        onderdelen, wat = {d.id for d in sessie.domeinen}, "domein"
    else:
        onderdelen, wat = {s.id for s in subdoelen_van(ronde)}, "doel"
    sessie.verhalen.clear()
    db.session.flush()
    totaal = 0
    for onderdeel_id, verhaal_ids in selectie.items():
        if int(onderdeel_id) not in onderdelen:
            raise Ongeldig(f"Dit {wat} hoort niet bij de sessie.", veld="selectie")
        ids = list(dict.fromkeys(int(i) for i in verhaal_ids))
        if len(ids) > MAX_VERHALEN_PER_SUBDOEL:
            raise Ongeldig(f"Kies hoogstens {MAX_VERHALEN_PER_SUBDOEL} verhalen per {wat}.", veld="selectie")
        for plek, verhaal_id in enumerate(ids):
            verhaal = db.session.get(Verhaal, verhaal_id)
            if verhaal is None or not _mag_naar_panel(verhaal, ronde):
                raise Ongeldig(
                    "Een panel mag alleen verhalen van deze ronde lezen die geciteerd mogen worden.",
                    veld="selectie",
                )
            sessie.verhalen.append(
                SessieVerhaal(**_onderdeel_velden(sessie, int(onderdeel_id)), verhaal_id=verhaal_id, volgorde=plek)
            )
            totaal += 1
    if not totaal:
        raise Ongeldig(f"Kies bij minstens één {wat} een verhaal.", veld="selectie")


def create_sessie(
    ronde: Ronde, titel: str, selectie: dict[int, list[int]], vraag: str | None = None,
    panel: list[str] | None = None, door: Gebruiker | None = None,
    domeinen: list[DomeinInvoer] | None = None,
) -> Waarderingssessie:
    """A prepared session. Per subdoel (`domeinen` None): `selectie` maps subdoel ids to story
    ids. Per domain of change: `selectie` maps each domain's position in `domeinen` to story ids."""
    titel = " ".join((titel or "").split())[:200]
    if not titel:
        raise Ongeldig("Geef de sessie een naam.", veld="titel")
    sessie = Waarderingssessie(
        ronde=ronde, titel=titel, vraag=(vraag or "").strip()[:500] or STANDAARD_VRAAG, code=_nieuwe_code(),
        status=SessieStatus.VOORBEREID, panel=_panel(panel or []),
        gemaakt_door=door if door is not None and getattr(door, "is_authenticated", False) else None,
    )
    db.session.add(sessie)
    if domeinen is not None:
        domeinen = controleer_domeinen(ronde, domeinen)
        sessie.indeling = SessieIndeling.DOMEIN
        sessie.domeinen = [
            SessieDomein(naam=d.naam, subdoel_ids=d.subdoel_ids, volgorde=plek) for plek, d in enumerate(domeinen)
        ]
        db.session.flush()
        ids = [d.id for d in sessie.domeinen]
        if any(not 0 <= int(plek) < len(ids) for plek in selectie):
            raise Ongeldig("Dit domein hoort niet bij de sessie.", veld="selectie")
        selectie = {ids[int(plek)]: verhalen for plek, verhalen in selectie.items()}
    _zet_selectie(sessie, selectie)
    db.session.flush()
    log_audit(door, AuditActie.WAARDERINGSSESSIE_GEMAAKT, object_type="waarderingssessie", object_id=sessie.id,
              details={"ronde": ronde.slug, "verhalen": len(sessie.verhalen), "indeling": sessie.indeling})
    return sessie


def selectie_van(sessie: Waarderingssessie) -> dict[int, list[int]]:
    """The session's current selection: per part (subdoel or domain) the story ids in order."""
    selectie: dict[int, list[int]] = {}
    for item in sorted(sessie.verhalen, key=lambda i: (onderdeel_van(i), i.volgorde)):
        selectie.setdefault(onderdeel_van(item), []).append(item.verhaal_id)
    return selectie


def update_sessie(
    sessie: Waarderingssessie, titel: str, panel: list[str], door: Gebruiker | None,
    vraag: str | None = None, selectie: dict[int, list[int]] | None = None,
) -> list[str]:
    """Change a session after it was made. The name and the panel can change until it closes;
    the question and the stories only before it opens (participants may have chosen already).
    `vraag` or `selectie` None means: leave as it is. Returns the names of what changed."""
    if sessie.status == SessieStatus.GESLOTEN:
        raise Ongeldig("Een gesloten sessie kan niet meer worden gewijzigd.")
    titel = " ".join((titel or "").split())[:200]
    if not titel:
        raise Ongeldig("Geef de sessie een naam.", veld="titel")
    nieuwe_vraag = None if vraag is None else (vraag.strip()[:500] or STANDAARD_VRAAG)
    vraag_anders = nieuwe_vraag is not None and nieuwe_vraag != sessie.vraag
    selectie_anders = selectie is not None and {
        int(k): list(dict.fromkeys(int(i) for i in v)) for k, v in selectie.items() if v
    } != selectie_van(sessie)
    if sessie.status != SessieStatus.VOORBEREID and (vraag_anders or selectie_anders):
        raise Ongeldig("De vraag en de verhalen kunnen alleen worden gewijzigd voordat de sessie begint.")
    gewijzigd = []
    if titel != sessie.titel:
        sessie.titel = titel
        gewijzigd.append("titel")
    nieuw_panel = _panel(panel)
    if nieuw_panel != list(sessie.panel or []):
        sessie.panel = nieuw_panel
        gewijzigd.append("panel")
    if vraag_anders:
        sessie.vraag = nieuwe_vraag
        gewijzigd.append("vraag")
    if selectie_anders:
        _zet_selectie(sessie, selectie)
        gewijzigd.append("verhalen")
    db.session.flush()
    if gewijzigd:
        log_audit(door, AuditActie.WAARDERINGSSESSIE_GEWIJZIGD, object_type="waarderingssessie", object_id=sessie.id,
                  details={"gewijzigd": gewijzigd})
    return gewijzigd


def open_sessie(sessie: Waarderingssessie, door: Gebruiker | None) -> None:
    if sessie.status == SessieStatus.GESLOTEN:
        raise Ongeldig("Deze sessie is al gesloten.")
    sessie.status = SessieStatus.OPEN
    db.session.flush()
    log_audit(door, AuditActie.WAARDERINGSSESSIE_GEOPEND, object_type="waarderingssessie", object_id=sessie.id)


def get_sessie(sessie_id: int) -> Waarderingssessie:
    sessie = db.session.get(Waarderingssessie, sessie_id)
    if sessie is None:
        raise NietGevonden(f"Sessie {sessie_id} bestaat niet (meer).")
    return sessie


def find_sessie_by_code(code: str) -> Waarderingssessie | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 12:
        return None
    return db.session.scalar(select(Waarderingssessie).where(Waarderingssessie.code == code))


def list_sessies(ronde: Ronde | None = None) -> list[Waarderingssessie]:
    query = select(Waarderingssessie).order_by(Waarderingssessie.created_at.desc(), Waarderingssessie.id.desc())
    if ronde is not None:
        query = query.where(Waarderingssessie.ronde_id == ronde.id)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------------------------------------
# What a panel reads (plain data: public text only)
# ---------------------------------------------------------------------------------------------


@dataclass
class PanelVerhaal:
    id: int
    titel: str
    tekst: str
    wijk: str | None


@dataclass
class PanelOnderdeel:
    """A part of the session: a subdoel (with its code), or a domain of change (code "")."""

    id: int
    code: str
    titel: str
    verhalen: list[PanelVerhaal] = field(default_factory=list)


def panel_inhoud(sessie: Waarderingssessie) -> list[PanelOnderdeel]:
    """Per part (subdoel or domain) the stories of the selection, as a panel may see them
    (checked again now: a story withdrawn or hidden since the preparation is left out)."""
    per: dict[int, PanelOnderdeel] = {}
    if is_per_domein(sessie):
        volgorde = {d.id: d.volgorde for d in sessie.domeinen}
    else:
        volgorde = {s.id: i for i, s in enumerate(subdoelen_van(sessie.ronde))}
    for item in sessie.verhalen:
        if not _mag_naar_panel(item.verhaal, sessie.ronde):
            continue
        if item.domein is not None:
            nieuw = PanelOnderdeel(item.domein_id, "", item.domein.naam)
        else:
            nieuw = PanelOnderdeel(item.subdoel_id, item.subdoel.code, item.subdoel.titel)
        blok = per.setdefault(nieuw.id, nieuw)
        v = item.verhaal
        blok.verhalen.append(PanelVerhaal(v.id, publieke_titel(v), v.tekst_publiek or "", v.wijk))
    return sorted(per.values(), key=lambda b: volgorde.get(b.id, len(volgorde)))


# ---------------------------------------------------------------------------------------------
# In the room
# ---------------------------------------------------------------------------------------------


def _hash(sleutel: str) -> str:
    return hashlib.sha256(sleutel.encode("utf-8")).hexdigest()


def join_sessie(sessie: Waarderingssessie, naam: str | None = None) -> tuple[Deelnemer, str]:
    """A new participant; returns it with the key their browser keeps (never stored in clear)."""
    if sessie.status != SessieStatus.OPEN:
        raise Ongeldig("Deze sessie is nu niet open.")
    sleutel = secrets.token_urlsafe(24)
    deelnemer = Deelnemer(sessie=sessie, naam=" ".join((naam or "").split())[:100] or None,
                          sleutel_hash=_hash(sleutel), created_at=utcnow())
    db.session.add(deelnemer)
    db.session.flush()
    return deelnemer, sleutel


def find_deelnemer(sessie: Waarderingssessie, sleutel: str | None) -> Deelnemer | None:
    if not sleutel or len(sleutel) > 100:
        return None
    deelnemer = db.session.scalar(select(Deelnemer).where(Deelnemer.sleutel_hash == _hash(sleutel)))
    return deelnemer if deelnemer is not None and deelnemer.sessie_id == sessie.id else None


def _check_reden(reden: str | None) -> str:
    reden = " ".join((reden or "").split())
    if len(reden) < MIN_REDEN:
        raise Ongeldig("Schrijf in een of twee zinnen waarom u dit verhaal kiest.", veld="reden")
    if len(reden) > MAX_REDEN:
        raise Ongeldig(f"Houd de reden kort: hoogstens {MAX_REDEN} tekens.", veld="reden")
    return reden


def _in_selectie(sessie: Waarderingssessie, onderdeel_id: int, verhaal_id: int) -> bool:
    return any(
        onderdeel_van(item) == onderdeel_id and item.verhaal_id == verhaal_id
        and _mag_naar_panel(item.verhaal, sessie.ronde)
        for item in sessie.verhalen
    )


def kies(deelnemer: Deelnemer, onderdeel_id: int, verhaal_id: int, reden: str | None) -> DeelnemerKeuze:
    """A participant's choice for a subdoel or domain; choosing again replaces the earlier one."""
    sessie = deelnemer.sessie
    if sessie.status != SessieStatus.OPEN:
        raise Ongeldig("De sessie is gesloten. Uw keuze is niet meer meegeteld.")
    if not _in_selectie(sessie, onderdeel_id, verhaal_id):
        raise Ongeldig("Kies een van de verhalen bij dit onderdeel.", veld="verhaal")
    reden = _check_reden(reden)
    keuze = next((k for k in deelnemer.keuzes if onderdeel_van(k) == onderdeel_id), None)
    if keuze is None:
        keuze = DeelnemerKeuze(deelnemer=deelnemer, **_onderdeel_velden(sessie, onderdeel_id), verhaal_id=verhaal_id,
                               reden=reden, gekozen_op=utcnow())
        db.session.add(keuze)
    else:
        keuze.verhaal_id, keuze.reden, keuze.gekozen_op = verhaal_id, reden, utcnow()
    db.session.flush()
    return keuze


@dataclass
class Stand:
    """Live results for one part of the session (a subdoel or a domain)."""

    onderdeel: PanelOnderdeel
    deelnemers: int  # participants who chose for this part
    stemmen: dict[int, int]  # story id -> number of participants
    redenen: dict[int, list[str]]  # story id -> the reasons given
    groep: Groepskeuze | None = None


def stand(sessie: Waarderingssessie) -> list[Stand]:
    keuzes = list(db.session.scalars(
        select(DeelnemerKeuze).join(Deelnemer).where(Deelnemer.sessie_id == sessie.id).order_by(DeelnemerKeuze.id)
    ))
    groep = {onderdeel_van(g): g for g in sessie.groepskeuzes}
    uitslag = []
    for blok in panel_inhoud(sessie):
        hier = [k for k in keuzes if onderdeel_van(k) == blok.id]
        stemmen = Counter(k.verhaal_id for k in hier)
        redenen: dict[int, list[str]] = {}
        for k in hier:
            redenen.setdefault(k.verhaal_id, []).append(k.reden)
        uitslag.append(Stand(blok, len(hier), dict(stemmen), redenen, groep.get(blok.id)))
    return uitslag


def stand_json(sessie: Waarderingssessie) -> dict:
    """The live results as JSON for the facilitator's screen (no names of participants)."""
    return {
        "status": sessie.status,
        "indeling": sessie.indeling,
        "deelnemers": len(sessie.deelnemers),
        # Per part of the session: subdoelen, or domains of change (code "") in a session per domain.
        "subdoelen": [
            {
                "id": s.onderdeel.id,
                "code": s.onderdeel.code,
                "titel": s.onderdeel.titel,
                "gekozen": s.deelnemers,
                "verhalen": [
                    {"id": v.id, "titel": v.titel, "stemmen": s.stemmen.get(v.id, 0),
                     "redenen": s.redenen.get(v.id, [])}
                    for v in s.onderdeel.verhalen
                ],
            }
            for s in stand(sessie)
        ],
    }


# ---------------------------------------------------------------------------------------------
# Closing
# ---------------------------------------------------------------------------------------------


def leg_groepskeuze_vast(
    sessie: Waarderingssessie, onderdeel_id: int, verhaal_id: int, reden: str | None,
    onenigheid: str | None = None, door: Gebruiker | None = None,
) -> Groepskeuze:
    """The group's choice for a subdoel or domain (from the projector screen or at the close)."""
    if sessie.status == SessieStatus.GESLOTEN:
        raise Ongeldig("Deze sessie is al gesloten.")
    if not _in_selectie(sessie, onderdeel_id, verhaal_id):
        raise Ongeldig("Kies een van de verhalen bij dit onderdeel.", veld="verhaal")
    reden = _check_reden(reden)
    onenigheid = " ".join((onenigheid or "").split())[:MAX_REDEN]
    keuze = next((g for g in sessie.groepskeuzes if onderdeel_van(g) == onderdeel_id), None)
    if keuze is None:
        keuze = Groepskeuze(sessie=sessie, **_onderdeel_velden(sessie, onderdeel_id), verhaal_id=verhaal_id,
                            reden=reden, onenigheid=onenigheid, vastgelegd_op=utcnow())
        db.session.add(keuze)
    else:
        keuze.verhaal_id, keuze.reden, keuze.onenigheid = verhaal_id, reden, onenigheid
        keuze.vastgelegd_op = utcnow()
    db.session.flush()
    log_audit(door, AuditActie.WAARDERINGSSESSIE_GROEPSKEUZE, object_type="waarderingssessie", object_id=sessie.id,
              details={("domein" if is_per_domein(sessie) else "subdoel"): onderdeel_id, "verhaal": verhaal_id})
    return keuze


def sluit_sessie(sessie: Waarderingssessie, door: Gebruiker | None = None) -> None:
    if sessie.status == SessieStatus.GESLOTEN:
        raise Ongeldig("Deze sessie is al gesloten.")
    if not sessie.groepskeuzes:
        raise Ongeldig("Leg eerst bij minstens één onderdeel vast wat de groep koos.")
    sessie.status = SessieStatus.GESLOTEN
    sessie.gesloten_op = utcnow()
    db.session.flush()
    log_audit(door, AuditActie.WAARDERINGSSESSIE_GESLOTEN, object_type="waarderingssessie", object_id=sessie.id,
              details={"groepskeuzes": len(sessie.groepskeuzes)})


# ---------------------------------------------------------------------------------------------
# What the sessions feed: the pack, markers, exports, letters
# ---------------------------------------------------------------------------------------------


def _gesloten_groepskeuzes(ronde: Ronde | None = None) -> list[Groepskeuze]:
    query = select(Groepskeuze).join(Waarderingssessie).where(Waarderingssessie.status == SessieStatus.GESLOTEN)
    if ronde is not None:
        query = query.where(Waarderingssessie.ronde_id == ronde.id)
    return list(db.session.scalars(query.order_by(Waarderingssessie.gesloten_op, Groepskeuze.id)))


def groepskeuzes_voor_pakket(ronde: Ronde) -> list[GroepskeuzeInfo]:
    """Every closed session's group choices of this ronde, for the pack's section
    "Wat de groep koos, en waarom" (registered with the pakketten domain below)."""
    uit = []
    for g in _gesloten_groepskeuzes(ronde):
        sessie = g.sessie
        if not _mag_naar_panel(g.verhaal, ronde):
            continue
        per_verhaal = stand_van_onderdeel(sessie, onderdeel_van(g))
        uit.append(GroepskeuzeInfo(
            subdoel=str(g.subdoel_id) if g.subdoel_id is not None else "", verhaal=str(g.verhaal_id), reden=g.reden,
            domein=g.domein.naam if g.domein is not None else "",
            sessie=f"{sessie.titel} ({sessie.gesloten_op:%d-%m-%Y})" if sessie.gesloten_op else sessie.titel,
            stemmen=per_verhaal.stemmen.get(g.verhaal_id, 0) if per_verhaal else 0,
            deelnemers=per_verhaal.deelnemers if per_verhaal else 0,
            onenigheid=g.onenigheid or "",
            redenen=tuple(per_verhaal.redenen.get(g.verhaal_id, [])) if per_verhaal else (),
        ))
    return uit


def stand_van_onderdeel(sessie: Waarderingssessie, onderdeel_id: int) -> Stand | None:
    return next((s for s in stand(sessie) if s.onderdeel.id == onderdeel_id), None)


pakket_operations.registreer_groepskeuze_lezer(groepskeuzes_voor_pakket)


def gekozen_aantallen(verhaal_ids: list[int]) -> dict[int, int]:
    """How many closed sessions' panels chose each of these stories (the marker on story lists)."""
    query = (
        select(Groepskeuze.verhaal_id, func.count(func.distinct(Groepskeuze.sessie_id)))
        .join(Waarderingssessie)
        .where(Waarderingssessie.status == SessieStatus.GESLOTEN, Groepskeuze.verhaal_id.in_(verhaal_ids))
        .group_by(Groepskeuze.verhaal_id)
    )
    return {verhaal_id: aantal for verhaal_id, aantal in db.session.execute(query)}


verhaal_operations.registreer_panel_lezer(gekozen_aantallen)


@dataclass
class Brief:
    verhaal_id: int
    titel: str
    aan_naam: str
    email: str | None
    subdoel: str  # what it was chosen for: the subdoel's title, or the domain's name
    reden: str
    sessie: str
    ronde: str
    onderwerp: str
    tekst: list[str]  # paragraphs, B1


def mag_bericht_krijgen(verhaal: Verhaal) -> bool:
    """Only a teller who agreed to hear back (`terugkoppeling`) and left a name or e-mail gets a
    message; contact details given for a conversation alone are never used for this."""
    contact = verhaal.contactgegevens
    return contact is not None and bool(contact.terugkoppeling) and bool(contact.naam or contact.email)


def eerste_zin(tekst: str, max_woorden: int = 30) -> str:
    """The teller's own words to quote back: the first sentence of the public text, cut short."""
    tekst = " ".join((tekst or "").split())
    zin = re.split(r"(?<=[.!?])\s+", tekst, maxsplit=1)[0] if tekst else ""
    woorden = zin.split()
    return " ".join(woorden[:max_woorden]) + (" …" if len(woorden) > max_woorden else "")


def brieven(sessie: Waarderingssessie) -> list[Brief]:
    """A short B1 message for each chosen story whose teller agreed to hear back about it.

    It speaks in the residents' words: the teller's own first sentence and the group's reason,
    not the doelenboom's policy terms. Sent by the municipality's own means; here only the
    printable letter and the e-mail text.
    """
    uit = []
    gezien: set[int] = set()
    for g in sessie.groepskeuzes:
        if g.verhaal_id in gezien or not mag_bericht_krijgen(g.verhaal):
            continue
        gezien.add(g.verhaal_id)
        contact = g.verhaal.contactgegevens
        titel = publieke_titel(g.verhaal)
        naam = contact.naam or "verteller"
        redenen = [k.reden for k in sessie.groepskeuzes if k.verhaal_id == g.verhaal_id]
        tekst = [
            f"Beste {naam},",
            f"U vertelde ons een verhaal in de ronde ‘{sessie.ronde.titel}’. Dank u wel daarvoor.",
            f"Een groep mensen heeft de verhalen samen gelezen. Zij kozen uw verhaal ‘{titel}’.",
        ]
        eigen = eerste_zin(g.verhaal.tekst_publiek or "")
        if eigen:
            tekst.append(f"U schreef: ‘{eigen}’")
        tekst += [f"Dit zei de groep erover: ‘{reden}’" for reden in redenen]
        tekst += [
            "Wij gebruiken uw verhaal om samen te kijken wat goed gaat en wat beter kan. "
            "Uw naam staat er niet bij.",
            "U krijgt deze brief omdat u wilde horen wat er met uw verhaal gebeurt. "
            "Wilt u geen berichten meer? Zeg het ons, dan stoppen we ermee.",
            "Hebt u een vraag? Neem dan contact met ons op.",
            "Met vriendelijke groet,",
            "De gemeente",
        ]
        uit.append(Brief(
            verhaal_id=g.verhaal_id, titel=titel, aan_naam=naam, email=contact.email,
            subdoel=g.domein.naam if g.domein is not None else g.subdoel.titel,
            reden=g.reden, sessie=sessie.titel, ronde=sessie.ronde.titel,
            onderwerp="Uw verhaal is gekozen", tekst=tekst,
        ))
    return uit


def zet_terugkoppeling(verhaal: Verhaal, aan: bool, door: Gebruiker | None, reden: str | None) -> bool:
    """Record that a teller does (or no longer does) want to hear back about the story, e.g. when
    they ask to stop (the letter tells them they can). Audited with the reason; flush only.
    Returns whether anything changed."""
    contact = verhaal.contactgegevens
    if contact is None:
        raise Ongeldig("Bij dit verhaal zijn geen contactgegevens bewaard.")
    reden = " ".join((reden or "").split())[:500]
    if not reden:
        raise Ongeldig("Geef een reden op, bijvoorbeeld: ‘de verteller belde op 3 juni’.", veld="reden")
    if bool(contact.terugkoppeling) == aan:
        return False
    contact.terugkoppeling = aan
    db.session.flush()
    log_audit(door, AuditActie.TERUGKOPPELING_GEWIJZIGD, object_type="verhaal", object_id=verhaal.id, reden=reden,
              details={"terugkoppeling": aan})
    return True


def zonder_bericht(sessie: Waarderingssessie) -> int:
    """How many chosen stories' tellers get no message (no consent for it, or no details)."""
    return len({g.verhaal_id for g in sessie.groepskeuzes if not mag_bericht_krijgen(g.verhaal)})


def gekozen_export(ronde: Ronde, soort: str) -> bytes:
    """The stories panels chose in this ronde, with their reasons as memos: `csv` or `qdpx`."""
    from verhalenbank.pakketten import qdpx

    invoer = pakket_operations.verzamel_invoer(ronde)
    memos: dict[str, list[str]] = {}
    for g in groepskeuzes_voor_pakket(ronde):
        regels = memos.setdefault(g.verhaal, [])
        regels.append(f"Gekozen door {g.sessie}{f' ({g.domein})' if g.domein else ''}: {g.reden}")
        regels += [f"Een deelnemer: {r}" for r in g.redenen]
        if g.onenigheid:
            regels.append(f"Onenigheid in de groep: {g.onenigheid}")
    verhalen = [v for v in pakket_operations.exporteerbare_verhalen(invoer) if v.sleutel in memos]
    if soort == "qdpx":
        return qdpx.maak_qdpx(invoer.ronde_slug, invoer.ronde_titel, invoer.doelenbomen, verhalen, memos=memos)
    return qdpx.maak_csv(invoer.doelenbomen, verhalen, memos=memos).encode("utf-8")


@dataclass
class GekozenVerhaal:
    """A story a panel chose, with why (for the quality page and tellen)."""

    verhaal_id: int
    titel: str
    sessie: str
    reden: str
    onenigheid: str
    stemmen: int
    deelnemers: int


@dataclass
class GekozenBijSubdoel:
    subdoel: Subdoel
    verhalen: list[GekozenVerhaal]

    @property
    def aantal(self) -> int:
        return len({v.verhaal_id for v in self.verhalen})


def gekozen_per_subdoel(subdoelen: list[Subdoel]) -> list[GekozenBijSubdoel]:
    """Per subdoel, which stories panels chose in closed sessions and why (for the quality page
    and tellen). A choice for a domain of change counts under each subdoel the domain covers.
    Subdoelen without any are left out, and so are stories that may no longer be shown to a
    panel (withdrawn, or no longer quotable)."""
    ids = {s.id for s in subdoelen}
    per: dict[int, list[GekozenVerhaal]] = {}
    for g in _gesloten_groepskeuzes():
        doelen = [g.subdoel_id] if g.domein is None else list(g.domein.subdoel_ids)
        doelen = [d for d in doelen if d in ids]
        if not doelen or not _mag_naar_panel(g.verhaal, g.sessie.ronde):
            continue
        sessie = g.sessie
        uitslag = stand_van_onderdeel(sessie, onderdeel_van(g))
        sessie_naam = f"{sessie.titel} ({sessie.gesloten_op:%d-%m-%Y})" if sessie.gesloten_op else sessie.titel
        for subdoel_id in doelen:
            per.setdefault(subdoel_id, []).append(GekozenVerhaal(
                verhaal_id=g.verhaal_id, titel=publieke_titel(g.verhaal),
                sessie=f"{sessie_naam}, {g.domein.naam}" if g.domein is not None else sessie_naam,
                reden=g.reden, onenigheid=g.onenigheid or "",
                stemmen=uitslag.stemmen.get(g.verhaal_id, 0) if uitslag else 0,
                deelnemers=uitslag.deelnemers if uitslag else 0,
            ))
    return [GekozenBijSubdoel(s, per[s.id]) for s in subdoelen if s.id in per]
