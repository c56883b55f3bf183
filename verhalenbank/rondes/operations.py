"""Ronde operations: create, update, open/close, look up; retention (`opschonen`: erase the
stories past their ronde's bewaartermijn)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.models import AuditLog
from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import Recht, heeft_recht
from verhalenbank.core.errors import NietGevonden, Ongeldig
from verhalenbank.core.models import as_utc
from verhalenbank.doelenbomen.models import Doelenboom
from verhalenbank.extensions import db
from verhalenbank.rondes.models import STANDAARD_VRAAG, Ronde
from verhalenbank.verhalen.models import Verhaal
from verhalenbank.verhalen.operations import erase_verhaal

if TYPE_CHECKING:
    from verhalenbank.accounts.models import Gebruiker

SLUG_PATROON = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Paths under /r/ that belong to the public form itself, never to a ronde.
GERESERVEERDE_SLUGS = frozenset({"intrekken", "foto-toevoegen", "sw-js", "static", "nieuw"})


@dataclass
class RondeGegevens:
    slug: str
    titel: str
    vraag: str = STANDAARD_VRAAG
    beschrijving: str | None = None
    start_datum: date | None = None
    eind_datum: date | None = None
    is_open: bool = True
    wijken: list[str] = field(default_factory=list)
    doelenboom_codes: list[str] = field(default_factory=list)
    bewaartermijn_maanden: int | None = None


def get_ronde(slug: str) -> Ronde:
    ronde = find_ronde(slug)
    if ronde is None:
        raise NietGevonden(f"Er is geen ronde '{slug}'.")
    return ronde


def find_ronde(slug: str, *, met_subdoelen: bool = False) -> Ronde | None:
    """The ronde with this slug; `met_subdoelen` loads its trees and their subdoelen in the same
    query (the public form needs them on every request: one round trip instead of three)."""
    query = select(Ronde).where(Ronde.slug == slug)
    if met_subdoelen:
        query = query.options(joinedload(Ronde.doelenbomen).joinedload(Doelenboom.subdoelen))
        return db.session.scalars(query).unique().one_or_none()
    return db.session.scalar(query)


def list_rondes() -> list[Ronde]:
    return list(db.session.scalars(select(Ronde).order_by(Ronde.start_datum.desc().nulls_last(), Ronde.titel)))


def _resolve_doelenbomen(codes: list[str]) -> list[Doelenboom]:
    bomen = []
    for code in codes:
        boom = db.session.scalar(select(Doelenboom).where(Doelenboom.code == code))
        if boom is None:
            raise Ongeldig(f"Er is geen doelenboom met code '{code}'.", veld="doelenbomen")
        bomen.append(boom)
    return bomen


def _validate(gegevens: RondeGegevens) -> None:
    if not SLUG_PATROON.match(gegevens.slug or ""):
        raise Ongeldig(
            f"'{gegevens.slug}' kan geen adres zijn: gebruik kleine letters, cijfers en '-'.", veld="slug"
        )
    if gegevens.slug in GERESERVEERDE_SLUGS:
        raise Ongeldig(f"Het adres '{gegevens.slug}' is al in gebruik door Verhalenbank zelf. Kies een ander adres.", veld="slug")
    if not (gegevens.titel or "").strip():
        raise Ongeldig("Geef de ronde een titel.", veld="titel")
    if gegevens.start_datum and gegevens.eind_datum and gegevens.eind_datum < gegevens.start_datum:
        raise Ongeldig("De einddatum ligt vóór de begindatum.", veld="eind_datum")
    if gegevens.bewaartermijn_maanden is not None and gegevens.bewaartermijn_maanden < 1:
        raise Ongeldig("De bewaartermijn is minstens 1 maand.", veld="bewaartermijn_maanden")


def _clean_wijken(wijken: list[str]) -> list[str]:
    gezien: list[str] = []
    for wijk in wijken:
        wijk = wijk.strip()
        if wijk and wijk not in gezien:
            gezien.append(wijk)
    return gezien


def create_ronde(gegevens: RondeGegevens, *, door: Gebruiker | None = None) -> Ronde:
    """`door`: the web user making it (None: an operator on the command line)."""
    _validate(gegevens)
    if find_ronde(gegevens.slug) is not None:
        raise Ongeldig(f"Er is al een ronde met adres '{gegevens.slug}'.", veld="slug")
    if gegevens.bewaartermijn_maanden is not None:
        _check_mag_bewaartermijn_wijzigen(door)
    ronde = Ronde(slug=gegevens.slug, titel=gegevens.titel.strip())
    _apply(ronde, gegevens)
    db.session.add(ronde)
    db.session.flush()
    if gegevens.bewaartermijn_maanden is not None:
        _log_bewaartermijn(ronde, door, voor=None, na=gegevens.bewaartermijn_maanden, te_wissen=0, nieuwe_ronde=True)
    return ronde


def update_ronde(
    ronde: Ronde, gegevens: RondeGegevens, *, door: Gebruiker | None = None, bevestigd_aantal: int | None = None
) -> Ronde:
    """Save a ronde's settings. A new bewaartermijn needs a role that may erase stories; when it
    makes stories due for erasure, `bevestigd_aantal` must equal how many (WissenBevestigen)."""
    gegevens.slug = ronde.slug  # the public address is printed on posters: it never changes
    _validate(gegevens)
    voor, na = ronde.bewaartermijn_maanden, gegevens.bewaartermijn_maanden
    te_wissen = 0
    if voor != na:
        _check_mag_bewaartermijn_wijzigen(door)
        te_wissen = len(verlopen_verhalen(ronde, na)) if na is not None else 0
        if te_wissen and bevestigd_aantal != te_wissen:
            raise WissenBevestigen(te_wissen, na)
    was_open = ronde.is_open
    _apply(ronde, gegevens)
    db.session.flush()
    if gegevens.is_open and not was_open:
        ronde.is_open = False
        set_ronde_open(ronde, True)  # refuses while topics are in policy words
    if voor != na:
        _log_bewaartermijn(ronde, door, voor=voor, na=na, te_wissen=te_wissen)
    return ronde


# --- retention (bewaartermijn) ---------------------------------------------------------------

BEWAARTERMIJN_ACTIE = AuditActie.BEWAARTERMIJN_GEWIJZIGD


class WissenBevestigen(Ongeldig):
    """A new bewaartermijn would erase stories at the next `opschonen`: ask first."""

    def __init__(self, aantal: int, maanden: int):
        woord = "verhaal" if aantal == 1 else "verhalen"
        super().__init__(
            f"Met een bewaartermijn van {maanden} {'maand' if maanden == 1 else 'maanden'} worden "
            f"{aantal} {woord} van deze ronde gewist bij het eerste opschonen na {WACHTTIJD_DAGEN} dagen "
            f"wachttijd (vanaf {(datetime.now(timezone.utc) + timedelta(days=WACHTTIJD_DAGEN)):%d-%m-%Y}). "
            "Tot dan kunt u de wijziging terugdraaien; daarna kan het wissen niet ongedaan worden gemaakt. "
            "Weet u het zeker?",
            veld="bewaartermijn_maanden",
        )
        self.aantal = aantal


def _check_mag_bewaartermijn_wijzigen(door: Gebruiker | None) -> None:
    # Retention decides when stories are erased: only roles that may erase may set it.
    if door is not None and not heeft_recht(door, Recht.VERWIJDEREN):
        raise Ongeldig(
            "Alleen wie verhalen mag wissen (de beheerder) kan de bewaartermijn instellen of wijzigen.",
            veld="bewaartermijn_maanden",
        )


def _log_bewaartermijn(
    ronde: Ronde, door: Gebruiker | None, *, voor: int | None, na: int | None, te_wissen: int, nieuwe_ronde: bool = False
) -> None:
    details = {"voor": voor, "na": na, "verhalen_te_wissen": te_wissen}
    if nieuwe_ronde:
        details["nieuwe_ronde"] = True  # the term it had from the start: no wachttijd
    log_audit(door, BEWAARTERMIJN_ACTIE, object_type="ronde", object_id=ronde.slug, details=details)


def months_before(moment: datetime, maanden: int) -> datetime:
    """The same moment `maanden` calendar months earlier (day clipped to the month's length)."""
    jaar, maand = divmod(moment.year * 12 + (moment.month - 1) - maanden, 12)
    maand += 1
    dag = min(moment.day, calendar.monthrange(jaar, maand)[1])
    return moment.replace(year=jaar, month=maand, day=dag)


def verlopen_verhalen(ronde: Ronde, maanden: int | None = None, *, nu: datetime | None = None) -> list[Verhaal]:
    """The ronde's stories older (by created_at) than `maanden` (default: its own bewaartermijn)."""
    maanden = ronde.bewaartermijn_maanden if maanden is None else maanden
    if maanden is None:
        return []
    # All timestamps are UTC (SQLite keeps them as UTC text, so compare in UTC too).
    grens = months_before((nu or datetime.now(timezone.utc)).astimezone(timezone.utc), maanden)
    return list(
        db.session.scalars(
            select(Verhaal).where(Verhaal.ronde_id == ronde.id, Verhaal.created_at < grens).order_by(Verhaal.id)
        )
    )


# A shorter bewaartermijn (or a first one on an existing ronde) erases nothing extra until this
# many days after the change: a mistaken or malicious change can be seen in the logbook and
# `opschonen --dry-run` and undone before a single story goes. Until then `opschonen` applies the
# longest term that was in force during those days.
WACHTTIJD_DAGEN = 14


@dataclass
class GeldendeTermijn:
    """The term `opschonen` applies to a ronde today."""

    maanden: int | None  # None: nothing is erased (no term, or no term during the wachttijd)
    wacht_tot: datetime | None = None  # the ronde's own term applies from then; None: it already does


def geldende_termijn(ronde: Ronde, *, nu: datetime | None = None) -> GeldendeTermijn:
    """The ronde's own bewaartermijn, or during a wachttijd the longest term that was in force
    in the last WACHTTIJD_DAGEN days (from the logbook's bewaartermijn_gewijzigd entries)."""
    if ronde.bewaartermijn_maanden is None:
        return GeldendeTermijn(None)
    nu = (nu or datetime.now(timezone.utc)).astimezone(timezone.utc)
    wijzigingen = [
        regel for regel in db.session.scalars(
            select(AuditLog).where(
                AuditLog.actie == BEWAARTERMIJN_ACTIE, AuditLog.object_type == "ronde", AuditLog.object_id == ronde.slug,
                AuditLog.tijdstip >= nu - timedelta(days=WACHTTIJD_DAGEN),
            ).order_by(AuditLog.tijdstip, AuditLog.id)
        )
        if not (regel.details or {}).get("nieuwe_ronde")
    ]
    # Terms in force until a change in the window, longer than today's (None: no term at all).
    langer = [
        (regel.tijdstip, (regel.details or {}).get("voor")) for regel in wijzigingen
        if (regel.details or {}).get("voor") is None or regel.details["voor"] > ronde.bewaartermijn_maanden
    ]
    if not langer:
        return GeldendeTermijn(ronde.bewaartermijn_maanden)  # not shortened lately
    laatste = as_utc(max(tijdstip for tijdstip, _ in langer))
    wacht_tot = laatste + timedelta(days=WACHTTIJD_DAGEN)
    if any(maanden is None for _, maanden in langer):
        return GeldendeTermijn(None, wacht_tot)  # there was no term at all a moment ago
    return GeldendeTermijn(max(maanden for _, maanden in langer), wacht_tot)


def te_wissen_verhalen(ronde: Ronde, *, nu: datetime | None = None) -> tuple[list[Verhaal], list[Verhaal], GeldendeTermijn]:
    """For `opschonen`: (the stories to erase now, those past the ronde's own term that wait for
    the wachttijd, the term applied)."""
    termijn = geldende_termijn(ronde, nu=nu)
    eigen = verlopen_verhalen(ronde, nu=nu)
    nu_weg = eigen if termijn.maanden == ronde.bewaartermijn_maanden else (
        verlopen_verhalen(ronde, termijn.maanden, nu=nu) if termijn.maanden is not None else []
    )
    weg_ids = {v.id for v in nu_weg}
    return nu_weg, [v for v in eigen if v.id not in weg_ids], termijn


def bewaartermijn_herkomst(ronde: Ronde) -> dict:
    """Who set the ronde's current bewaartermijn and when (from the audit log), for `opschonen`."""
    regel = db.session.scalar(
        select(AuditLog)
        .where(AuditLog.actie == BEWAARTERMIJN_ACTIE, AuditLog.object_type == "ronde", AuditLog.object_id == ronde.slug)
        .order_by(AuditLog.tijdstip.desc(), AuditLog.id.desc())
        .limit(1)
    )
    return {
        "bewaartermijn_maanden": ronde.bewaartermijn_maanden,
        "ingesteld_door": (regel.gebruiker_email or "commandoregel") if regel is not None else "onbekend",
        "ingesteld_op": regel.tijdstip.isoformat() if regel is not None else None,
    }


@dataclass
class OpschoonResultaat:
    per_ronde: dict[str, int] = field(default_factory=dict)
    verhaal_ids: list[int] = field(default_factory=list)
    # per ronde: the setting behind the erasure and who set it (see bewaartermijn_herkomst)
    herkomst: dict[str, dict] = field(default_factory=dict)
    # per ronde: (id, created_at) of each story erased, or to be erased on a dry run
    verhalen: dict[str, list[tuple[int, datetime]]] = field(default_factory=dict)
    # per ronde whose term was shortened lately: (stories past the new term that wait, the term
    # applied meanwhile (None: none), until when) — see WACHTTIJD_DAGEN
    wachtend: dict[str, tuple[int, int | None, datetime]] = field(default_factory=dict)

    @property
    def totaal(self) -> int:
        return len(self.verhaal_ids)


def opschonen(*, dry_run: bool, nu: datetime | None = None, door: Gebruiker | None = None) -> OpschoonResultaat:
    """Erase stories past their ronde's bewaartermijn, except those a term shortened less than
    WACHTTIJD_DAGEN ago would erase (flush only; the caller commits and then calls
    `verhalen.operations.after_erase`). Each erasure's audit entry names the setting and the
    person behind it."""
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
                erase_verhaal(
                    verhaal, door=door,
                    reden=f"bewaartermijn van {termijn.maanden} maanden verlopen (ronde {ronde.slug})",
                    details={"ronde": ronde.slug, **herkomst, "toegepaste_termijn_maanden": termijn.maanden},
                )
    return resultaat


def _apply(ronde: Ronde, gegevens: RondeGegevens) -> None:
    ronde.titel = gegevens.titel.strip()
    ronde.vraag = (gegevens.vraag or "").strip() or STANDAARD_VRAAG
    ronde.beschrijving = gegevens.beschrijving
    ronde.start_datum, ronde.eind_datum = gegevens.start_datum, gegevens.eind_datum
    ronde.is_open = gegevens.is_open
    ronde.wijken = _clean_wijken(gegevens.wijken)
    ronde.bewaartermijn_maanden = gegevens.bewaartermijn_maanden
    ronde.doelenbomen = _resolve_doelenbomen(gegevens.doelenboom_codes)


def onderwerpen_zonder_woorden(ronde: Ronde) -> list:
    """The ronde's subdoelen that its form would show as policy titles (no label in residents' words)."""
    from verhalenbank.rondes import zelfduiding

    subdoelen = [
        zelfduiding.SubdoelKeuze(boom.code, subdoel.code, subdoel.titel)
        for boom in ronde.doelenbomen for subdoel in boom.subdoelen
    ]
    return zelfduiding.ontbrekende_labels(ronde.zelfduiding, subdoelen)


def houd_dicht_tot_woorden(ronde: Ronde) -> bool:
    """A new ronde opens only when every topic on its form is in residents' words: otherwise it
    stays closed until they are (flush only). True when it was kept closed."""
    if ronde.is_open and onderwerpen_zonder_woorden(ronde):
        ronde.is_open = False
        db.session.flush()
        return True
    return False


def set_ronde_open(ronde: Ronde, is_open: bool) -> None:
    """Open or close a ronde. It opens only when every topic on its form is in residents' words."""
    if is_open and not ronde.is_open:
        ontbreekt = onderwerpen_zonder_woorden(ronde)
        if ontbreekt:
            raise Ongeldig(
                "De ronde kan nog niet open. Geef eerst elk onderwerp een naam in gewone woorden "
                "(onder ‘Vragen voor vertellers’): " + ", ".join(keuze.code for keuze in ontbreekt) + ".",
                veld="is_open",
            )
    ronde.is_open = is_open
    db.session.flush()


def boom_bij_naam(naam: str, bomen: list[Doelenboom]) -> Doelenboom | None:
    """The one tree whose municipality (or code's first word) is a word of `naam`
    ('lelystad-2026-voorjaar' -> the Lelystad tree); None when no tree or several match."""
    woorden = set(re.findall(r"[a-z]+", naam.lower()))
    passend = []
    for boom in bomen:
        namen = set(re.findall(r"[a-z]+", (boom.gemeente or "").lower())) | {boom.code.split("-")[0].lower()}
        if namen & woorden:
            passend.append(boom)
    return passend[0] if len(passend) == 1 else None


def ensure_ronde_for_import(slug: str, doelenboom_codes: list[str] | None = None) -> tuple[Ronde, bool]:
    """A ronde named in an import file: the existing one, or a new ronde bound to the tree(s)
    the operator named. Without trees it is refused: a ronde never silently gets every tree (a
    Lelystad form would then offer Hoorn's goals). Like any new ronde, its form stays closed
    until its topics are in residents' words (`houd_dicht_tot_woorden`)."""
    ronde = find_ronde(slug)
    if ronde is not None:
        return ronde, False
    if not SLUG_PATROON.match(slug) or slug in GERESERVEERDE_SLUGS:
        raise Ongeldig(f"'{slug}' is geen geldige ronde-code (kleine letters, cijfers en '-').", veld="ronde")
    if not doelenboom_codes:
        raise Ongeldig(
            f"ronde '{slug}' bestaat niet. Maak hem eerst (verhalenbank ronde add {slug} --titel … "
            f"--doelenboom CODE) of zeg bij de import bij welke doelenboom hij hoort (--doelenboom CODE).",
            veld="ronde",
        )
    ronde = Ronde(
        slug=slug,
        titel=slug.replace("-", " ").capitalize(),
        is_open=True,
        wijken=[],
        doelenbomen=_resolve_doelenbomen(doelenboom_codes),
    )
    db.session.add(ronde)
    db.session.flush()
    houd_dicht_tot_woorden(ronde)
    return ronde, True


def zet_onderwerp_labels(slug: str, labels: dict[str, str]) -> Ronde | None:
    """Give a ronde's topic question its chips in residents' words (subdoel code → words).

    Labels already set are kept; a ronde that does not exist is skipped (None)."""
    import copy

    from verhalenbank.rondes import zelfduiding

    ronde = db.session.scalar(select(Ronde).where(Ronde.slug == slug))
    if ronde is None:
        return None
    config = copy.deepcopy(zelfduiding.config_of(ronde.zelfduiding) if ronde.zelfduiding else zelfduiding.STANDAARD_CONFIG)
    for vraag in config["vragen"]:
        if vraag["soort"] == zelfduiding.SOORT_ONDERWERP and not vraag.get("labels"):
            vraag["labels"] = dict(labels)
    ronde.zelfduiding = zelfduiding.validate_config(config)
    db.session.flush()
    return ronde
