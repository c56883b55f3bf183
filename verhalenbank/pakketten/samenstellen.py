"""Build the feedback pack's view model from plain data and the facilitator's choices."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
import re
from datetime import date

from verhalenbank.core.scores import score_in_woorden
from verhalenbank.pakketten import kompas, selectie, themas, woordsoort
from verhalenbank.pakketten.gegevens import (
    THEMAS_SLEUTEL,
    Balk,
    BoomSectie,
    DomeinSectie,
    Groepskeuze,
    Keuzes,
    Omslag,
    PakketInhoud,
    PakketInvoer,
    PakketVerhaal,
    SubdoelSectie,
    Thema,
    VerhaalWeergave,
)
from verhalenbank.pakketten.tekst import (
    _WOORD,
    KNELPUNT_DREMPEL,
    is_cue,
    negatief_signaal,
    vraagwoorden,
    zonder_plaatshouders,
)

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
# Stories tagged to decide which words are verbs etc.: enough to see each common word often.
MAX_GETAGD = 200
MAX_WOORDEN_IN_NAAM = 7


def datum_tekst(waarde: date | None) -> str:
    if waarde is None:
        return ""
    return f"{waarde.day} {MAANDEN[waarde.month - 1]} {waarde.year}"


def periode_tekst(start: date | None, eind: date | None, data: Sequence[date] = ()) -> str:
    """The ronde's period; when it has none, the span of the stories' own dates."""
    if start and eind:
        return f"{datum_tekst(start)} tot en met {datum_tekst(eind)}"
    if start:
        return f"vanaf {datum_tekst(start)}"
    if eind:
        return f"tot en met {datum_tekst(eind)}"
    if data:
        eerste, laatste = min(data), max(data)
        if eerste == laatste:
            return f"{datum_tekst(eerste)} (datum van de verhalen)"
        return f"{datum_tekst(eerste)} tot en met {datum_tekst(laatste)} (data van de verhalen)"
    return "onbekend: de verhalen hebben geen datum"


def weergave(
    verhaal: PakketVerhaal, vast: bool = False, reden: str = "", onbevestigd: bool = False, toegevoegd: str = "",
    subdoel: str | None = None,
) -> VerhaalWeergave:
    """`subdoel`: the section's key; an unconfirmed story then carries the tagger's suggestion for
    it in words, so the pack never shows a suggestion as a fact nor as a percentage."""
    voorstel = ""
    if onbevestigd and subdoel is not None:
        scores = [t.score for t in verhaal.tags if t.subdoel == subdoel and not t.bevestigd]
        voorstel = score_in_woorden(max(scores)) if scores else ""
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
        onbevestigd=onbevestigd,
        toegevoegd=toegevoegd,
        voorstel=voorstel,
    )


def _steekproef(aantal: int, maximum: int) -> list[int]:
    if aantal <= maximum:
        return list(range(aantal))
    stap = aantal / maximum
    return sorted({int(i * stap) for i in range(maximum)})


def thema_naam(
    woorden: Sequence[str], rijen: Sequence[int], verhalen: Sequence[PakketVerhaal],
    zinsdelen: dict[int, list[str]],
) -> str:
    """A readable name for a theme: a phrase from its own quotable stories, not a word list.

    First a noun phrase ("lange avonden") that holds one of the theme's words and occurs in
    most of its stories; else a short stretch of the sentence that holds most of its words.
    """
    kern = set(woorden[:4])
    citeerbaar = [r for r in rijen if verhalen[r].citeren]
    tellingen: Counter = Counter()
    for r in citeerbaar:
        for deel in set(zinsdelen.get(r, [])):
            if kern & {w.lower() for w in deel.split()}:
                tellingen[deel.lower()] += 1
    if tellingen:
        deel, _ = max(tellingen.items(), key=lambda kv: (kv[1], len(kern & set(kv[0].split()))))
        return deel
    beste, beste_score = "", (0, 0)
    for r in citeerbaar:
        for deel in re.split(r"[.!?;:,()\n]+", zonder_plaatshouders(verhalen[r].tekst)):
            reeks = deel.split()
            treffers = [i for i, w in enumerate(reeks) if set(_WOORD.findall(w.lower())) & kern]
            if not treffers:
                continue
            begin = max(0, min(treffers[0], len(reeks) - MAX_WOORDEN_IN_NAAM))
            stuk = " ".join(reeks[begin:begin + MAX_WOORDEN_IN_NAAM]).strip(" \"'‘’“”-")
            score = (len(treffers), -len(reeks))
            if score > beste_score:
                beste, beste_score = stuk, score
    if beste:
        return beste
    return " en ".join(list(woorden[:2]))


def _groepskeuzes(
    invoer: PakketInvoer, per_sleutel: dict[str, PakketVerhaal]
) -> tuple[dict[str, list[Groepskeuze]], list[DomeinSectie]]:
    """The panels' choices: per subdoel (its sleutel), and per domain of change (by name, in
    the order the sessions came)."""
    per_subdoel: dict[str, list[Groepskeuze]] = {}
    per_domein: dict[str, list[Groepskeuze]] = {}
    for keuze in invoer.groepskeuzes:
        verhaal = per_sleutel.get(keuze.verhaal)
        if verhaal is None or not verhaal.citeren:
            continue
        doel = per_domein.setdefault(keuze.domein, []) if keuze.domein else per_subdoel.setdefault(keuze.subdoel, [])
        doel.append(
            Groepskeuze(
                verhaal=weergave(verhaal), reden=keuze.reden, sessie=keuze.sessie, stemmen=keuze.stemmen,
                deelnemers=keuze.deelnemers, onenigheid=keuze.onenigheid, redenen=list(keuze.redenen),
            )
        )
    return per_subdoel, [DomeinSectie(naam, keuzes) for naam, keuzes in per_domein.items()]


def bouw_pakket(invoer: PakketInvoer, keuzes: Keuzes | None = None) -> PakketInhoud:
    keuzes = keuzes or Keuzes()
    verhalen: Sequence[PakketVerhaal] = invoer.verhalen
    vraag = vraagwoorden(invoer.vragen)
    getagd = _steekproef(len(verhalen), MAX_GETAGD)
    soorten = woordsoort.bepaal([verhalen[r].tekst for r in getagd],
                                [verhalen[r].woordsoorten for r in getagd]) if verhalen else None
    matrix = selectie.maak_tekstmatrix(verhalen, vraag, soorten.geen_inhoud if soorten else frozenset())
    signalen = [negatief_signaal(v.tekst, v.zelfduiding, v.gevoel) for v in verhalen]
    knelpunt = [signaal >= KNELPUNT_DREMPEL for signaal in signalen]
    per_sleutel = {v.sleutel: v for v in verhalen}
    rij_van = {v.sleutel: r for r, v in enumerate(verhalen)}
    groepskeuzes, domeinen = _groepskeuzes(invoer, per_sleutel)

    # Rows per subdoel: confirmed tags, plus suggestions only when asked for.
    rijen_per_subdoel: dict[str, list[int]] = {}
    bevestigd_per_subdoel: dict[str, set[int]] = {}
    voorgesteld_per_subdoel: dict[str, set[int]] = {}
    for rij, verhaal in enumerate(verhalen):
        for tag in verhaal.tags:
            if tag.bevestigd:
                bevestigd_per_subdoel.setdefault(tag.subdoel, set()).add(rij)
            else:
                voorgesteld_per_subdoel.setdefault(tag.subdoel, set()).add(rij)
            if tag.bevestigd or invoer.met_voorstellen:
                rijen_per_subdoel.setdefault(tag.subdoel, []).append(rij)

    bronnen_totaal = Counter(v.bron for v in verhalen)
    # Dropping a story removes it from the whole pack (it is recorded where it was dropped).
    weggelaten = {s for k in keuzes.secties.values() for s in k.weg}
    bomen: list[BoomSectie] = []
    for boom in invoer.doelenbomen:
        secties = []
        for subdoel in boom.subdoelen:
            pool = sorted(set(rijen_per_subdoel.get(subdoel.sleutel, [])))
            bevestigd = bevestigd_per_subdoel.get(subdoel.sleutel, set())
            keuze = keuzes.voor(subdoel.sleutel)
            # Stories the facilitator added by hand, with a reason (quotable ones of this pack).
            toegevoegd = {
                rij_van[s]: reden for s, reden in keuze.toegevoegd.items()
                if s in rij_van and verhalen[rij_van[s]].citeren and s not in weggelaten
            }
            gekozen = selectie.kies_verhalen(
                matrix, verhalen, pool, weg=weggelaten | {verhalen[r].sleutel for r in toegevoegd},
                vast=keuze.vast, volgorde=keuze.volgorde, signalen=signalen,
            )
            woorden = selectie.kenmerkende_woorden(matrix, pool, aantal=WOORDEN_PER_SUBDOEL)
            knelpunt_rijen = [r for r in pool if knelpunt[r]]
            feiten = kompas.SubdoelFeiten(
                code=subdoel.code,
                titel=subdoel.titel,
                aantal=len(pool),
                totaal=len(verhalen),
                bevestigd=len(bevestigd & set(pool)),
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
                    if woord != feiten.woord and not is_cue(woord):
                        feiten.knelpunt_woord = woord
                        feiten.knelpunt_woord_aantal = selectie.documenten_met_woord(
                            matrix, knelpunt_rijen, woord
                        )
                        break
            voorgesteld = voorgesteld_per_subdoel.get(subdoel.sleutel, set()) - bevestigd
            in_pool_voorgesteld = len(voorgesteld & set(pool))
            representatief = [
                weergave(verhalen[r], vast=r in gekozen.vastgepind, onbevestigd=r not in bevestigd,
                         subdoel=subdoel.sleutel)
                for r in gekozen.representatief
            ] + [
                weergave(verhalen[r], vast=True, onbevestigd=r not in bevestigd, toegevoegd=reden,
                         subdoel=subdoel.sleutel)
                for r, reden in toegevoegd.items()
            ]
            plek = {s: i for i, s in enumerate(keuze.volgorde)}
            representatief.sort(key=lambda v: plek.get(v.sleutel, len(plek)))
            secties.append(
                SubdoelSectie(
                    subdoel=subdoel,
                    aantal=len(pool),
                    bevestigd=feiten.bevestigd,
                    voorgesteld=in_pool_voorgesteld,
                    knelpunten=feiten.knelpunten,
                    positief=len(pool) - feiten.knelpunten,
                    balken=[
                        Balk("Bevestigd", feiten.bevestigd, "bevestigd"),
                        Balk("Voorgesteld", len(voorgesteld), "voorgesteld"),
                        Balk("Met knelpunt", feiten.knelpunten, "knelpunt"),
                    ],
                    representatief=representatief,
                    tegengeluid=[
                        weergave(verhalen[r], reden=reden, onbevestigd=r not in bevestigd, subdoel=subdoel.sleutel)
                        for r, reden in gekozen.tegengeluid
                    ],
                    woorden=[w for w, _ in woorden],
                    bewegingen=kompas.vier_bewegingen(feiten),
                    notitie=keuze.notitie,
                    niet_citeerbaar=sum(1 for r in pool if not verhalen[r].citeren),
                    voorstellen_buiten=0 if invoer.met_voorstellen else len(voorgesteld),
                    groepskeuzes=groepskeuzes.get(subdoel.sleutel, []),
                )
            )
        bomen.append(BoomSectie(boom, secties))

    alle_subdoelen = {s.sleutel for b in invoer.doelenbomen for s in b.subdoelen}
    los = [r for r, v in enumerate(verhalen) if themas.past_nergens(v, alle_subdoelen)]
    thema_keuze = keuzes.voor(THEMAS_SLEUTEL)
    gevonden = themas.vind_themas(matrix, verhalen, los, weg=weggelaten)
    leden = sorted({r for t in gevonden for r in t.rijen if verhalen[r].citeren})
    zinsdelen: dict[int, list[str]] = {}
    if leden:
        soorten_leden = woordsoort.bepaal([verhalen[r].tekst for r in leden], [verhalen[r].woordsoorten for r in leden])
        if soorten_leden is not None:
            zinsdelen = dict(zip(leden, soorten_leden.zinsdelen))
    thema_lijst = [
        Thema(
            nummer=i,
            naam=thema_naam(t.woorden, t.rijen, verhalen, zinsdelen),
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
        periode=periode_tekst(invoer.start_datum, invoer.eind_datum, [v.datum for v in verhalen if v.datum]),
        aantal_verhalen=len(verhalen),
        aantal_citeerbaar=sum(1 for v in verhalen if v.citeren),
        per_bron=[Balk(BRON_LABELS.get(b, b), n, "bron") for b, n in per_bron.most_common()],
        doelenbomen=[b.titel for b in invoer.doelenbomen],
        vernauwing=vernauwing,
        vraag=invoer.ronde_vraag,
        alleen_bevestigd=not invoer.met_voorstellen,
    )
    inhoud = PakketInhoud(
        titel=f"Feedbackpakket: {invoer.ronde_titel}",
        omslag=omslag,
        bomen=bomen,
        themas=thema_lijst,
        aantal_los=len(los),
        samenvatting=[],
        themas_notitie=thema_keuze.notitie,
        domeinen=domeinen,
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
            + "; ".join(f"‘{t.naam}’" for t in inhoud.themas[:3])
            + "."
        )
    zinnen.append(
        "Wat gebeurt er nu? We praten over de verhalen met de gemeente en de organisaties. "
        "Samen kijken we wat goed gaat en wat beter kan. Daarna hoort u wat we gaan doen."
    )
    return zinnen
