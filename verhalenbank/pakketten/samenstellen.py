"""Build the feedback pack's view model from plain data and the facilitator's choices."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from verhalenbank.pakketten import kompas, selectie, themas
from verhalenbank.pakketten.gegevens import (
    THEMAS_SLEUTEL,
    Balk,
    BoomSectie,
    Keuzes,
    Omslag,
    PakketInhoud,
    PakketInvoer,
    PakketVerhaal,
    SubdoelSectie,
    Thema,
    VerhaalWeergave,
)
from verhalenbank.pakketten.tekst import _STERKE_CUES, KNELPUNT_DREMPEL, negatief_signaal

MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)
BRON_LABELS = {
    "inwoner": "Inwoner",
    "mantelzorger": "Mantelzorger",
    "vrijwilliger": "Vrijwilliger",
    "professional": "Professional",
    "transcript": "Vertelsessie",
}
WOORDEN_PER_SUBDOEL = 8
MAX_SUBDOELEN_IN_SAMENVATTING = 8


def datum_tekst(waarde: date | None) -> str:
    if waarde is None:
        return ""
    return f"{waarde.day} {MAANDEN[waarde.month - 1]} {waarde.year}"


def periode_tekst(start: date | None, eind: date | None) -> str:
    if start and eind:
        return f"{datum_tekst(start)} tot en met {datum_tekst(eind)}"
    if start:
        return f"vanaf {datum_tekst(start)}"
    if eind:
        return f"tot en met {datum_tekst(eind)}"
    return "geen periode ingesteld"


def weergave(verhaal: PakketVerhaal, vast: bool = False, reden: str = "") -> VerhaalWeergave:
    return VerhaalWeergave(
        sleutel=verhaal.sleutel,
        titel=verhaal.titel,
        tekst=verhaal.tekst,
        bron=BRON_LABELS.get(verhaal.bron, verhaal.bron),
        wijk=verhaal.wijk,
        datum=datum_tekst(verhaal.datum),
        fotos=verhaal.fotos,
        vast=vast,
        reden=reden,
    )


def _is_cue(woord: str) -> bool:
    return any(woord.startswith(c.strip()) for c in _STERKE_CUES if " " not in c.strip())


def bouw_pakket(invoer: PakketInvoer, keuzes: Keuzes | None = None) -> PakketInhoud:
    keuzes = keuzes or Keuzes()
    verhalen: Sequence[PakketVerhaal] = invoer.verhalen
    matrix = selectie.maak_tekstmatrix(verhalen)
    signalen = [negatief_signaal(v.tekst, v.zelfduiding, v.gevoel) for v in verhalen]
    knelpunt = [signaal >= KNELPUNT_DREMPEL for signaal in signalen]

    # Rows per subdoel, and which of those tags a person confirmed.
    rijen_per_subdoel: dict[str, list[int]] = {}
    bevestigd_per_subdoel: Counter = Counter()
    for rij, verhaal in enumerate(verhalen):
        for tag in verhaal.tags:
            rijen_per_subdoel.setdefault(tag.subdoel, []).append(rij)
            if tag.bevestigd:
                bevestigd_per_subdoel[tag.subdoel] += 1

    bronnen_totaal = Counter(v.bron for v in verhalen)
    # Dropping a story removes it from the whole pack (it is recorded where it was dropped).
    weggelaten = {s for k in keuzes.secties.values() for s in k.weg}
    bomen: list[BoomSectie] = []
    for boom in invoer.doelenbomen:
        secties = []
        for subdoel in boom.subdoelen:
            pool = sorted(set(rijen_per_subdoel.get(subdoel.sleutel, [])))
            keuze = keuzes.voor(subdoel.sleutel)
            gekozen = selectie.kies_verhalen(
                matrix, verhalen, pool, weg=weggelaten, vast=keuze.vast, volgorde=keuze.volgorde,
                signalen=signalen,
            )
            woorden = selectie.kenmerkende_woorden(matrix, pool, aantal=WOORDEN_PER_SUBDOEL)
            knelpunt_rijen = [r for r in pool if knelpunt[r]]
            feiten = kompas.SubdoelFeiten(
                code=subdoel.code,
                titel=subdoel.titel,
                aantal=len(pool),
                totaal=len(verhalen),
                bevestigd=bevestigd_per_subdoel[subdoel.sleutel],
                knelpunten=len(knelpunt_rijen),
                bronnen=Counter(verhalen[r].bron for r in pool),
                bronnen_totaal=bronnen_totaal,
                wijken=Counter(verhalen[r].wijk for r in pool if verhalen[r].wijk),
            )
            if woorden:
                feiten.woord = woorden[0][0]
                feiten.woord_aantal = selectie.documenten_met_woord(matrix, pool, feiten.woord)
            if len(knelpunt_rijen) >= 2:
                for woord, _ in selectie.kenmerkende_woorden(matrix, knelpunt_rijen, aantal=12):
                    if woord != feiten.woord and not _is_cue(woord):
                        feiten.knelpunt_woord = woord
                        feiten.knelpunt_woord_aantal = selectie.documenten_met_woord(
                            matrix, knelpunt_rijen, woord
                        )
                        break
            secties.append(
                SubdoelSectie(
                    subdoel=subdoel,
                    aantal=len(pool),
                    bevestigd=feiten.bevestigd,
                    voorgesteld=len(pool) - feiten.bevestigd,
                    knelpunten=feiten.knelpunten,
                    positief=len(pool) - feiten.knelpunten,
                    balken=[
                        Balk("Bevestigd", feiten.bevestigd, "bevestigd"),
                        Balk("Voorgesteld", len(pool) - feiten.bevestigd, "voorgesteld"),
                        Balk("Met knelpunt", feiten.knelpunten, "knelpunt"),
                    ],
                    representatief=[
                        weergave(verhalen[r], vast=r in gekozen.vastgepind) for r in gekozen.representatief
                    ],
                    tegengeluid=[weergave(verhalen[r], reden=reden) for r, reden in gekozen.tegengeluid],
                    woorden=[w for w, _ in woorden],
                    bewegingen=kompas.vier_bewegingen(feiten),
                    notitie=keuze.notitie,
                    niet_citeerbaar=sum(1 for r in pool if not verhalen[r].citeren),
                )
            )
        bomen.append(BoomSectie(boom, secties))

    alle_subdoelen = {s.sleutel for b in invoer.doelenbomen for s in b.subdoelen}
    los = [r for r, v in enumerate(verhalen) if themas.past_nergens(v, alle_subdoelen)]
    thema_keuze = keuzes.voor(THEMAS_SLEUTEL)
    gevonden = themas.vind_themas(matrix, verhalen, los, weg=weggelaten)
    thema_lijst = [
        Thema(
            nummer=i,
            woorden=t.woorden,
            aantal=len(t.rijen),
            voorbeeld=weergave(verhalen[t.voorbeeld]) if t.voorbeeld is not None else None,
        )
        for i, t in enumerate(gevonden, start=1)
    ]

    per_bron = Counter(v.bron for v in verhalen)
    vernauwing = ", ".join(
        deel for deel in (
            f"wijk {invoer.wijk}" if invoer.wijk else "",
            f"aanbieder {invoer.aanbieder}" if invoer.aanbieder else "",
        ) if deel
    )
    omslag = Omslag(
        ronde_titel=invoer.ronde_titel,
        ronde_slug=invoer.ronde_slug,
        periode=periode_tekst(invoer.start_datum, invoer.eind_datum),
        aantal_verhalen=len(verhalen),
        aantal_citeerbaar=sum(1 for v in verhalen if v.citeren),
        per_bron=[Balk(BRON_LABELS.get(b, b), n, "bron") for b, n in per_bron.most_common()],
        doelenbomen=[b.titel for b in invoer.doelenbomen],
        vernauwing=vernauwing,
        vraag=invoer.ronde_vraag,
    )
    inhoud = PakketInhoud(
        titel=f"Feedbackpakket: {invoer.ronde_titel}",
        omslag=omslag,
        bomen=bomen,
        themas=thema_lijst,
        aantal_los=len(los),
        samenvatting=[],
        themas_notitie=thema_keuze.notitie,
    )
    inhoud.samenvatting = samenvatting(inhoud)
    return inhoud


def samenvatting(inhoud: PakketInhoud) -> list[str]:
    """A one-page summary for the people who told the stories, in plain Dutch (B1)."""
    o = inhoud.omslag
    zinnen = [
        "Dank u wel voor uw verhaal!",
        f"In de ronde ‘{o.ronde_titel}’ kregen we {o.aantal_verhalen} verhalen. "
        "We hebben ze allemaal gelezen.",
    ]
    secties = [s for b in inhoud.bomen for s in b.subdoelen]
    for sectie in secties[:MAX_SUBDOELEN_IN_SAMENVATTING]:
        zin = f"{sectie.subdoel.titel}: {sectie.aantal} {'verhaal' if sectie.aantal == 1 else 'verhalen'}."
        if sectie.knelpunten:
            zin += f" In {sectie.knelpunten} daarvan gaat iets niet goed."
        if sectie.woorden:
            zin += " Vaak genoemd: " + ", ".join(sectie.woorden[:3]) + "."
        zinnen.append(zin)
    if len(secties) > MAX_SUBDOELEN_IN_SAMENVATTING:
        zinnen.append(f"En nog {len(secties) - MAX_SUBDOELEN_IN_SAMENVATTING} andere doelen.")
    if inhoud.themas:
        zinnen.append(
            "U vertelde ook over andere dingen, bijvoorbeeld: "
            + "; ".join(", ".join(t.woorden[:2]) for t in inhoud.themas[:3])
            + "."
        )
    zinnen.append(
        "Wat gebeurt er nu? We praten over de verhalen met de gemeente en de organisaties. "
        "Samen kijken we wat goed gaat en wat beter kan. Daarna hoort u wat we gaan doen."
    )
    return zinnen
