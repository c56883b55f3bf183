"""Feedback packs from the database: which stories may be in one, curation, exports.

This is the one place that decides what a pack may contain:
- only active stories of the ronde with consent (`toestemming`); withdrawn stories are erased
  and hidden ones (`status = verborgen`) are left out;
- only the pseudonymised `tekst_publiek` / `titel_publiek`, never the original text or title;
- stories not analysed yet (no public text) are counted but never quoted or exported;
- quotes and photos only of stories with consent to quote (`citeren`);
- never contact details (they are not even loaded).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from verhalenbank.accounts.models import Gebruiker, Organisatie
from verhalenbank.core.errors import NietGevonden, Ongeldig
from verhalenbank.doelenbomen.models import Doelenboom
from verhalenbank.extensions import db
from verhalenbank.pakketten.gegevens import (
    THEMAS_SLEUTEL,
    DoelenboomInfo,
    FotoInfo,
    IndicatorInfo,
    Keuzes,
    PakketInhoud,
    PakketInvoer,
    PakketVerhaal,
    SectieKeuze,
    SubdoelInfo,
    TagInfo,
)
from verhalenbank.pakketten.models import Pakket
from verhalenbank.pakketten.samenstellen import bouw_pakket
from verhalenbank.pakketten.tekst import titel_uit_tekst
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen.models import Verhaal, VerhaalStatus

HANDELINGEN = ("weg", "terug", "vast", "losmaken", "omhoog", "omlaag", "notitie", "toevoegen")
MAX_NOTITIE = 2000
MAX_REDEN = 500


@dataclass
class Vernauwing:
    doelenboom: Doelenboom | None = None
    wijk: str | None = None
    organisatie: Organisatie | None = None


# ---------------------------------------------------------------------------------------------
# Reading the database into plain pack input
# ---------------------------------------------------------------------------------------------


def _boom_info(boom: Doelenboom) -> DoelenboomInfo:
    return DoelenboomInfo(
        code=boom.code,
        titel=boom.titel,
        hoofddoel=boom.hoofddoel,
        subdoelen=tuple(
            SubdoelInfo(
                sleutel=str(s.id),
                code=s.code,
                titel=s.titel,
                doelenboom_code=boom.code,
                beschrijving=s.beschrijving,
                indicatoren=tuple(IndicatorInfo(str(i.id), i.code, i.titel) for i in s.indicatoren),
            )
            for s in boom.subdoelen
        ),
    )


def _vraagteksten(ronde: Ronde) -> tuple[str, ...]:
    """Every question the residents of this ronde were asked, as text."""
    from verhalenbank.rondes import zelfduiding

    vragen = [ronde.vraag or ""]
    for v in zelfduiding.config_of(ronde.zelfduiding).get("vragen", []):
        vragen.append(str(v.get("vraag") or ""))
    return tuple(v for v in vragen if v)


def _gezicht_vragen(ronde: Ronde) -> set[str]:
    from verhalenbank.rondes import zelfduiding

    return {
        v.get("code") for v in zelfduiding.config_of(ronde.zelfduiding).get("vragen", [])
        if v.get("soort") == zelfduiding.SOORT_GEZICHT
    }


def _gevoel(antwoorden: dict[str, list[str]], gezicht_codes: set[str]) -> int | None:
    for code in gezicht_codes:
        for waarde in antwoorden.get(code, []):
            if waarde.isdigit() and 1 <= int(waarde) <= 5:
                return int(waarde)
    return None


def _fotos_per_verhaal(verhaal_ids: list[int]) -> dict[int, list]:
    from verhalenbank.media.models import Foto

    per: dict[int, list] = {}
    for start in range(0, len(verhaal_ids), 900):  # stay below SQLite's parameter limit
        deel = verhaal_ids[start:start + 900]
        for foto in db.session.scalars(select(Foto).where(Foto.verhaal_id.in_(deel)).order_by(Foto.id)):
            per.setdefault(foto.verhaal_id, []).append(foto)
    return per


def bomen_voor(ronde: Ronde, vernauwing: Vernauwing) -> list[Doelenboom]:
    if vernauwing.doelenboom is not None:
        return [vernauwing.doelenboom]
    return list(ronde.doelenbomen)


def verzamel_invoer(
    ronde: Ronde, vernauwing: Vernauwing | None = None, met_voorstellen: bool = False
) -> PakketInvoer:
    """Everything a pack of this ronde may show, as plain data (see the module docstring)."""
    vernauwing = vernauwing or Vernauwing()
    bomen = bomen_voor(ronde, vernauwing)
    boom_infos = [_boom_info(b) for b in bomen]
    subdoel_ids = {int(s.sleutel) for b in boom_infos for s in b.subdoelen}

    query = (
        select(Verhaal)
        .where(Verhaal.ronde_id == ronde.id, Verhaal.status == VerhaalStatus.ACTIEF, Verhaal.toestemming.is_(True))
        .options(
            selectinload(Verhaal.tags),
            selectinload(Verhaal.zelfduiding_antwoorden),
            selectinload(Verhaal.organisatie),
        )
        .order_by(Verhaal.datum, Verhaal.id)
    )
    if vernauwing.wijk:
        query = query.where(Verhaal.wijk == vernauwing.wijk)
    if vernauwing.organisatie is not None:
        query = query.where(Verhaal.organisatie_id == vernauwing.organisatie.id)
    rijen = list(db.session.scalars(query))
    gezicht_codes = _gezicht_vragen(ronde)
    fotos = _fotos_per_verhaal([v.id for v in rijen if v.citeren and v.tekst_publiek])

    verhalen = []
    for v in rijen:
        publiek = v.tekst_publiek or ""
        antwoorden: dict[str, list[str]] = {}
        for a in v.zelfduiding_antwoorden:
            antwoorden.setdefault(a.vraag, []).append(a.antwoord)
        citeerbaar = bool(v.citeren and publiek)
        verhalen.append(
            PakketVerhaal(
                id=v.id,
                titel=v.titel_publiek or titel_uit_tekst(publiek),
                tekst=publiek,
                bron=v.bron,
                wijk=v.wijk,
                datum=v.datum,
                citeren=citeerbaar,
                lemmas=v.lemmas if publiek else None,
                woordsoorten=v.woordsoorten if publiek else None,
                tags=tuple(
                    TagInfo(str(t.subdoel_id), bool(t.bevestigd), float(t.score),
                            str(t.indicator_id) if t.indicator_id else None)
                    for t in v.tags
                    if not t.afgewezen and t.subdoel_id in subdoel_ids
                ),
                zelfduiding={vraag: "; ".join(w) for vraag, w in antwoorden.items()},
                gevoel=_gevoel(antwoorden, gezicht_codes),
                fotos=tuple(
                    FotoInfo(bron=f.bestand, alt=f"Foto bij ‘{v.titel_publiek or 'het verhaal'}’",
                             breedte=f.breedte, hoogte=f.hoogte)
                    for f in fotos.get(v.id, [])
                ) if citeerbaar else (),
                aanbieder=v.organisatie.naam if v.organisatie else None,
            )
        )
    return PakketInvoer(
        ronde_slug=ronde.slug,
        ronde_titel=ronde.titel,
        doelenbomen=boom_infos,
        verhalen=verhalen,
        start_datum=ronde.start_datum,
        eind_datum=ronde.eind_datum,
        ronde_vraag=ronde.vraag,
        wijk=vernauwing.wijk,
        aanbieder=vernauwing.organisatie.naam if vernauwing.organisatie else None,
        vragen=_vraagteksten(ronde),
        met_voorstellen=met_voorstellen,
        groepskeuzes=tuple(_groepskeuzes(ronde)),
    )


def _groepskeuzes(ronde: Ronde) -> list:
    """What panels chose in this ronde's closed waarderingssessies (hook of the waarderen domain).

    The waarderen domain sits above pakketten; it registers its reader here at import time so
    the pack needs no import from it (layers point down).
    """
    return [keuze for lezer in _GROEPSKEUZE_LEZERS for keuze in lezer(ronde)]


_GROEPSKEUZE_LEZERS: list = []


def registreer_groepskeuze_lezer(lezer) -> None:
    """`lezer(ronde)` yields GroepskeuzeInfo; called once by the waarderen domain."""
    if lezer not in _GROEPSKEUZE_LEZERS:
        _GROEPSKEUZE_LEZERS.append(lezer)


def exporteerbare_verhalen(invoer: PakketInvoer) -> list[PakketVerhaal]:
    """Stories for research exports: those with a public text (analysed)."""
    return [v for v in invoer.verhalen if v.tekst]


# ---------------------------------------------------------------------------------------------
# Packs and curation
# ---------------------------------------------------------------------------------------------


def vernauwing_van(
    doelenboom_code: str | None = None, wijk: str | None = None, aanbieder: str | None = None
) -> Vernauwing:
    vernauwing = Vernauwing(wijk=(wijk or "").strip() or None)
    if doelenboom_code:
        vernauwing.doelenboom = db.session.scalar(select(Doelenboom).where(Doelenboom.code == doelenboom_code))
        if vernauwing.doelenboom is None:
            raise NietGevonden(f"Doelenboom '{doelenboom_code}' bestaat niet.", veld="doelenboom")
    if aanbieder:
        vernauwing.organisatie = db.session.scalar(
            select(Organisatie).where((Organisatie.naam == aanbieder) | (Organisatie.slug == aanbieder))
        )
        if vernauwing.organisatie is None:
            raise NietGevonden(f"Aanbieder '{aanbieder}' bestaat niet.", veld="aanbieder")
    return vernauwing


def vernauwing_van_pakket(pakket: Pakket) -> Vernauwing:
    return Vernauwing(doelenboom=pakket.doelenboom, wijk=pakket.wijk, organisatie=pakket.organisatie)


def create_pakket(ronde: Ronde, vernauwing: Vernauwing, door: Gebruiker | None = None) -> Pakket:
    if vernauwing.doelenboom is not None and vernauwing.doelenboom not in ronde.doelenbomen:
        raise Ongeldig("Deze doelenboom hoort niet bij de ronde.", veld="doelenboom")
    delen = [ronde.titel]
    if vernauwing.doelenboom is not None:
        delen.append(vernauwing.doelenboom.titel)
    if vernauwing.wijk:
        delen.append(vernauwing.wijk)
    if vernauwing.organisatie is not None:
        delen.append(vernauwing.organisatie.naam)
    pakket = Pakket(
        ronde=ronde,
        doelenboom=vernauwing.doelenboom,
        wijk=vernauwing.wijk,
        organisatie=vernauwing.organisatie,
        titel=" · ".join(delen)[:300],
        keuzes={},
        gemaakt_door=door if door is not None and getattr(door, "is_authenticated", False) else None,
    )
    db.session.add(pakket)
    db.session.flush()
    return pakket


def get_pakket(pakket_id: int) -> Pakket:
    pakket = db.session.get(Pakket, pakket_id)
    if pakket is None:
        raise NietGevonden(f"Pakket {pakket_id} bestaat niet (meer).")
    return pakket


def list_pakketten(ronde: Ronde | None = None) -> list[Pakket]:
    query = select(Pakket).order_by(Pakket.created_at.desc(), Pakket.id.desc())
    if ronde is not None:
        query = query.where(Pakket.ronde_id == ronde.id)
    return list(db.session.scalars(query))


def find_latest_pakket(ronde: Ronde, vernauwing: Vernauwing) -> Pakket | None:
    """The most recent pack of this ronde with exactly this narrowing (for the CLI)."""
    for pakket in list_pakketten(ronde):
        if (
            pakket.doelenboom_id == (vernauwing.doelenboom.id if vernauwing.doelenboom else None)
            and (pakket.wijk or None) == vernauwing.wijk
            and pakket.organisatie_id == (vernauwing.organisatie.id if vernauwing.organisatie else None)
        ):
            return pakket
    return None


def _geldige_secties(pakket: Pakket) -> set[str]:
    bomen = bomen_voor(pakket.ronde, vernauwing_van_pakket(pakket))
    return {str(s.id) for b in bomen for s in b.subdoelen} | {THEMAS_SLEUTEL}


def kiesbare_verhalen(pakket: Pakket) -> list[tuple[str, str]]:
    """(id, title) of every story of the pack that may be quoted: what a facilitator can add."""
    invoer = verzamel_invoer(pakket.ronde, vernauwing_van_pakket(pakket))
    return [(v.sleutel, v.titel) for v in invoer.verhalen if v.citeren]


def apply_keuze(
    pakket: Pakket, sectie: str, handeling: str, verhaal: str | None = None, notitie: str | None = None,
    getoond: list[str] | None = None, reden: str | None = None,
) -> None:
    """One curation step. `getoond` is the current display order (needed to move a story).

    `toevoegen` adds any quotable story of the pack's ronde to a subdoel, with the
    facilitator's reason (required), besides dropping and reordering what the app chose.
    """
    sectie = str(sectie)
    if handeling not in HANDELINGEN:
        raise Ongeldig("Onbekende keuze.", veld="handeling")
    if sectie not in _geldige_secties(pakket):
        raise Ongeldig("Dit onderdeel hoort niet bij het pakket.", veld="sectie")
    keuzes = Keuzes.uit_json(pakket.keuzes)
    k = keuzes.secties.setdefault(sectie, SectieKeuze())
    if handeling == "notitie":
        k.notitie = (notitie or "").strip()[:MAX_NOTITIE]
    else:
        if not verhaal or not str(verhaal).isdigit():
            raise Ongeldig("Geen verhaal gekozen.", veld="verhaal")
        verhaal = str(verhaal)
        if handeling == "toevoegen":
            reden = (reden or "").strip()
            if not reden:
                raise Ongeldig("Schrijf kort op waarom u dit verhaal toevoegt.", veld="reden")
            if sectie == THEMAS_SLEUTEL:
                raise Ongeldig("Een verhaal toevoegen kan alleen bij een doel.", veld="sectie")
            if verhaal not in {s for s, _ in kiesbare_verhalen(pakket)}:
                raise Ongeldig(
                    "Dit verhaal hoort niet bij deze ronde of mag niet geciteerd worden.", veld="verhaal"
                )
            k.toegevoegd[verhaal] = reden[:MAX_REDEN]
            for andere in keuzes.secties.values():
                andere.weg = [s for s in andere.weg if s != verhaal]
        elif handeling == "weg":
            k.weg = [*dict.fromkeys([*k.weg, verhaal])]
            k.toegevoegd.pop(verhaal, None)
            k.vast = [s for s in k.vast if s != verhaal]
            k.volgorde = [s for s in k.volgorde if s != verhaal]
        elif handeling == "terug":
            # A drop holds for the whole pack, so undoing it does too.
            for andere in keuzes.secties.values():
                andere.weg = [s for s in andere.weg if s != verhaal]
        elif handeling == "vast":
            k.vast = [*dict.fromkeys([*k.vast, verhaal])]
            for andere in keuzes.secties.values():
                andere.weg = [s for s in andere.weg if s != verhaal]
        elif handeling == "losmaken":
            k.vast = [s for s in k.vast if s != verhaal]
        else:  # omhoog / omlaag: swap with the neighbour in the order as shown
            volgorde = list(getoond or k.volgorde)
            if verhaal not in volgorde:
                volgorde.append(verhaal)
            i = volgorde.index(verhaal)
            j = i - 1 if handeling == "omhoog" else i + 1
            if 0 <= j < len(volgorde):
                volgorde[i], volgorde[j] = volgorde[j], volgorde[i]
            k.volgorde = volgorde
            # A story moved by hand stays in the pack, otherwise the order would not hold.
            k.vast = [*dict.fromkeys([*k.vast, *volgorde])]
    # A new dict, so SQLAlchemy sees the JSON column changed.
    pakket.keuzes = keuzes.naar_json()
    db.session.flush()


def build_inhoud(pakket: Pakket, met_voorstellen: bool = False) -> tuple[PakketInvoer, PakketInhoud]:
    invoer = verzamel_invoer(pakket.ronde, vernauwing_van_pakket(pakket), met_voorstellen)
    return invoer, bouw_pakket(invoer, Keuzes.uit_json(pakket.keuzes))


def build_inhoud_voor_ronde(
    ronde: Ronde, vernauwing: Vernauwing, keuzes: dict | None = None, met_voorstellen: bool = False
) -> tuple[PakketInvoer, PakketInhoud]:
    invoer = verzamel_invoer(ronde, vernauwing, met_voorstellen)
    return invoer, bouw_pakket(invoer, Keuzes.uit_json(keuzes))


def getoonde_volgorde(inhoud: PakketInhoud, sectie: str) -> list[str]:
    for boom in inhoud.bomen:
        for s in boom.subdoelen:
            if s.subdoel.sleutel == sectie:
                return [v.sleutel for v in s.representatief]
    return []


def foto_van_pakket(pakket: Pakket, bestand: str):
    """A photo that this pack shows (its story is in the pack and may be quoted), else None."""
    from verhalenbank.media.models import Foto

    foto = db.session.scalar(select(Foto).where(Foto.bestand == bestand))
    if foto is None:
        return None
    verhaal = foto.verhaal
    vernauwing = vernauwing_van_pakket(pakket)
    if (
        verhaal.ronde_id != pakket.ronde_id
        or verhaal.status != VerhaalStatus.ACTIEF
        or not verhaal.toestemming
        or not verhaal.citeren
        or not verhaal.tekst_publiek
        or (vernauwing.wijk and verhaal.wijk != vernauwing.wijk)
        or (vernauwing.organisatie is not None and verhaal.organisatie_id != vernauwing.organisatie.id)
    ):
        return None
    return foto
