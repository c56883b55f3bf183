"""The four moves of the Kwaliteitskompas (step 6, verbetercyclus), filled from a subdoel's stories.

Movisie: first *herkennen* (do we recognise the picture?), then *verklaren* (can we explain it,
which context plays a role?), only then *waarderen* (what goes well, what must improve?) and
finally *verbeteren* (what do we change in activities, input or policy?). The questions are
in plain Dutch (B1): short sentences, numbers written as "12 van de 30".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from verhalenbank.pakketten.gegevens import Beweging

BRON_MEERVOUD = {
    "inwoner": "inwoners",
    "mantelzorger": "mantelzorgers",
    "vrijwilliger": "vrijwilligers",
    "professional": "professionals",
    "transcript": "vertelsessies",
}

UITLEG = {
    "herkennen": "Kijk samen naar de cijfers en de verhalen. Herkent u het beeld?",
    "verklaren": "Zoek samen naar de oorzaak. Wat speelt er mee?",
    "waarderen": "Geef pas nu samen een oordeel. Wat gaat goed, wat kan beter?",
    "verbeteren": "Spreek af wat u anders gaat doen, en wie wat doet.",
}


@dataclass
class SubdoelFeiten:
    code: str
    titel: str
    aantal: int  # stories in this subdoel
    totaal: int  # stories in the pack
    bevestigd: int
    knelpunten: int
    woord: str | None = None  # most characteristic word
    woord_aantal: int = 0  # stories of the subdoel that use it
    knelpunt_woord: str | None = None
    knelpunt_woord_aantal: int = 0
    bronnen: Counter = field(default_factory=Counter)
    bronnen_totaal: Counter = field(default_factory=Counter)  # over the whole pack
    wijken: Counter = field(default_factory=Counter)


def _verhalen(n: int) -> str:
    return "verhaal" if n == 1 else "verhalen"


def herkennen(f: SubdoelFeiten) -> list[str]:
    if f.aantal == 0:
        return [
            f"Geen van de {f.totaal} verhalen gaat over dit doel. Herkent u dat?",
            "Hoort u er in uw werk of buurt wel verhalen over?",
        ]
    vragen = [
        f"{f.aantal} van de {f.totaal} verhalen gaan over dit doel "
        f"({f.bevestigd} daarvan zijn door een mens bevestigd). Herkent u dat?"
    ]
    if f.woord and f.woord_aantal >= 2:
        vragen.append(
            f"{f.woord_aantal} van de {f.aantal} verhalen over dit doel noemen "
            f"‘{f.woord}’. Herkent u dat?"
        )
    return vragen


def verklaren(f: SubdoelFeiten) -> list[str]:
    if f.aantal == 0:
        return ["Hoe komt het dat niemand hierover vertelde? Vroegen we er niet naar, of speelt het niet?"]
    vragen = []
    if f.knelpunten:
        zin = f"In {f.knelpunten} van de {f.aantal} verhalen gaat iets niet goed."
        if f.knelpunt_woord and f.knelpunt_woord_aantal >= 2:
            zin += f" {f.knelpunt_woord_aantal} daarvan noemen ‘{f.knelpunt_woord}’."
        vragen.append(zin + " Hoe komt dat, denkt u?")
    if f.bronnen and f.aantal >= 3:
        bron, n = f.bronnen.most_common(1)[0]
        # Only worth asking when this subdoel leans on one source more than the pack does.
        aandeel_totaal = f.bronnen_totaal.get(bron, 0) / max(1, f.totaal)
        if n / f.aantal >= 0.6 and n / f.aantal - aandeel_totaal >= 0.15:
            vragen.append(
                f"{n} van de {f.aantal} verhalen komen van {BRON_MEERVOUD.get(bron, bron)}. "
                "Waarom vertellen anderen hier minder over?"
            )
    if len(f.wijken) >= 2 and f.aantal >= 3:
        wijk, n = f.wijken.most_common(1)[0]
        if n / f.aantal >= 0.5:
            vragen.append(f"{n} van de {f.aantal} verhalen komen uit {wijk}. Wat is daar anders?")
    if not vragen:
        vragen.append("Wat maakt dat het hier goed gaat? Wat helpt daarbij?")
    return vragen


def waarderen(f: SubdoelFeiten) -> list[str]:
    if f.aantal == 0:
        return ["Vinden we dit doel nog belangrijk? Moet het in de doelenboom blijven?"]
    rest = f.aantal - f.knelpunten
    return [
        f"{rest} van de {f.aantal} {_verhalen(f.aantal)} zijn positief of neutraal, "
        f"{f.knelpunten} noemen een knelpunt. Wat gaat goed? Wat moet beter?",
        f"Komen we zo dichter bij het doel: ‘{f.titel}’?",
    ]


def verbeteren(f: SubdoelFeiten) -> list[str]:
    vragen = []
    if f.knelpunt_woord and f.knelpunt_woord_aantal >= 2:
        vragen.append(f"Wat kunnen we doen aan ‘{f.knelpunt_woord}’?")
    elif f.knelpunten:
        vragen.append("Wat kunnen we doen aan de knelpunten uit deze verhalen?")
    if f.aantal == 0:
        vragen.append("Hoe halen we in de volgende ronde verhalen over dit doel op?")
    else:
        vragen.append("Wat moet blijven zoals het is? Wat gaan we anders doen?")
    vragen.append("Wie is daarvoor nodig: de gemeente, een organisatie, of de inwoners zelf?")
    return vragen


def vier_bewegingen(f: SubdoelFeiten) -> list[Beweging]:
    return [
        Beweging("herkennen", UITLEG["herkennen"], herkennen(f)),
        Beweging("verklaren", UITLEG["verklaren"], verklaren(f)),
        Beweging("waarderen", UITLEG["waarderen"], waarderen(f)),
        Beweging("verbeteren", UITLEG["verbeteren"], verbeteren(f)),
    ]
