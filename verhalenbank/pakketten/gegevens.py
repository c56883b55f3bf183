"""Plain data the feedback pack is built from, and the view model it produces.

The analysis and rendering work on these dataclasses only, so they can be tested without a
database and reused by the CLI, the web views and the benchmark. `operations.py` fills them
from the database; it is the one place that decides which stories may be in a pack at all.
Every story text here is the pseudonymised public text (`tekst_publiek`), never the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    sleutel: str
    code: str
    titel: str


@dataclass(frozen=True)
class SubdoelInfo:
    """A subdoel; `sleutel` is unique within the pack (the database id as text)."""

    sleutel: str
    code: str
    titel: str
    doelenboom_code: str
    beschrijving: str | None = None
    indicatoren: tuple[IndicatorInfo, ...] = ()


@dataclass(frozen=True)
class DoelenboomInfo:
    code: str
    titel: str
    hoofddoel: str | None = None
    subdoelen: tuple[SubdoelInfo, ...] = ()


@dataclass(frozen=True)
class TagInfo:
    """A non-rejected tag of a story: confirmed by a person, or an automatic suggestion."""

    subdoel: str  # SubdoelInfo.sleutel
    bevestigd: bool
    score: float = 1.0
    indicator: str | None = None  # IndicatorInfo.sleutel


@dataclass(frozen=True)
class FotoInfo:
    """A consented photo; `bron` is whatever the renderer needs (a URL or a file path)."""

    bron: str
    alt: str = ""
    breedte: int | None = None
    hoogte: int | None = None


@dataclass
class PakketVerhaal:
    id: int | str
    titel: str
    tekst: str  # tekst_publiek: pseudonymised
    bron: str = "inwoner"
    wijk: str | None = None
    datum: date | None = None
    citeren: bool = False
    lemmas: str | None = None  # lemmas of the public text, space separated
    tags: tuple[TagInfo, ...] = ()
    zelfduiding: dict[str, str] = field(default_factory=dict)  # question code -> answer(s), "; "-joined
    gevoel: int | None = None  # face-scale answer 1 (heel naar) .. 5 (heel fijn), if asked
    fotos: tuple[FotoInfo, ...] = ()
    aanbieder: str | None = None
    woordsoorten: dict | None = None  # stored at analysis (nlp/woordsoorten.py); None: tag now

    @property
    def sleutel(self) -> str:
        return str(self.id)


@dataclass(frozen=True)
class GroepskeuzeInfo:
    """A panel's choice in a waarderingssessie: for a subdoel (or a domain of change), this
    story, and why."""

    subdoel: str  # SubdoelInfo.sleutel; "" for a choice per domain of change
    verhaal: str  # PakketVerhaal.sleutel
    reden: str
    sessie: str  # the session's name, e.g. "Panel Waterwijk, 12 mei 2026"
    stemmen: int = 0  # how many participants chose this story
    deelnemers: int = 0  # how many participants chose at all for this subdoel
    onenigheid: str = ""  # disagreement the facilitator recorded
    redenen: tuple[str, ...] = ()  # the participants' own reasons for this story
    domein: str = ""  # the domain of change's name, for a session per domain


@dataclass
class PakketInvoer:
    ronde_slug: str
    ronde_titel: str
    doelenbomen: list[DoelenboomInfo]
    verhalen: list[PakketVerhaal]
    start_datum: date | None = None
    eind_datum: date | None = None
    ronde_vraag: str | None = None
    wijk: str | None = None  # narrowing, for the cover
    aanbieder: str | None = None
    # Texts of the questions residents answered (ronde question, self-signification questions):
    # their words are the facilitator's, never shown as "what residents said".
    vragen: tuple[str, ...] = ()
    # False (default): a subdoel's stories are those with a tag a person confirmed; True: also
    # the tagger's suggestions, each marked as not confirmed.
    met_voorstellen: bool = False
    # What panels chose in waarderingssessies of this ronde (filled by the waarderen domain).
    groepskeuzes: tuple[GroepskeuzeInfo, ...] = ()


# ---------------------------------------------------------------------------------------------
# Curation choices (stored as JSON in Pakket.keuzes)
# ---------------------------------------------------------------------------------------------

THEMAS_SLEUTEL = "themas"


@dataclass
class SectieKeuze:
    weg: list[str] = field(default_factory=list)  # dropped story ids
    vast: list[str] = field(default_factory=list)  # pinned story ids
    volgorde: list[str] = field(default_factory=list)  # preferred order of shown stories
    notitie: str = ""
    toegevoegd: dict[str, str] = field(default_factory=dict)  # story id -> the facilitator's reason


@dataclass
class Keuzes:
    secties: dict[str, SectieKeuze] = field(default_factory=dict)

    def voor(self, sleutel: str) -> SectieKeuze:
        return self.secties.get(sleutel) or SectieKeuze()

    @classmethod
    def uit_json(cls, data: dict[str, Any] | None) -> Keuzes:
        secties: dict[str, SectieKeuze] = {}
        for sleutel, waarde in ((data or {}).get("secties") or {}).items():
            if not isinstance(waarde, dict):
                continue
            secties[str(sleutel)] = SectieKeuze(
                weg=[str(v) for v in waarde.get("weg") or []],
                vast=[str(v) for v in waarde.get("vast") or []],
                volgorde=[str(v) for v in waarde.get("volgorde") or []],
                notitie=str(waarde.get("notitie") or ""),
                toegevoegd={str(k): str(v) for k, v in (waarde.get("toegevoegd") or {}).items()}
                if isinstance(waarde.get("toegevoegd"), dict) else {},
            )
        return cls(secties)

    def naar_json(self) -> dict[str, Any]:
        return {
            "secties": {
                sleutel: {"weg": k.weg, "vast": k.vast, "volgorde": k.volgorde, "notitie": k.notitie,
                          "toegevoegd": k.toegevoegd}
                for sleutel, k in self.secties.items()
                if k.weg or k.vast or k.volgorde or k.notitie or k.toegevoegd
            }
        }


# ---------------------------------------------------------------------------------------------
# Output: the view model the templates render
# ---------------------------------------------------------------------------------------------


@dataclass
class VerhaalWeergave:
    sleutel: str
    titel: str
    tekst: str
    bron: str
    wijk: str | None
    datum: str
    fotos: tuple[FotoInfo, ...] = ()
    vast: bool = False
    reden: str = ""
    onbevestigd: bool = False  # in this subdoel without a confirmed tag (a suggestion, or added by hand)
    toegevoegd: str = ""  # the facilitator added it by hand, for this reason
    voorstel: str = ""  # the tagger's suggestion for this subdoel in words ("mogelijk"); "" if none


@dataclass
class Balk:
    label: str
    waarde: int
    soort: str  # css modifier: "bevestigd", "voorgesteld", "knelpunt", "bron"


@dataclass
class Beweging:
    naam: str  # herkennen | verklaren | waarderen | verbeteren
    uitleg: str
    vragen: list[str]


@dataclass
class Groepskeuze:
    verhaal: VerhaalWeergave
    reden: str
    sessie: str
    stemmen: int
    deelnemers: int
    onenigheid: str
    redenen: list[str]


@dataclass
class DomeinSectie:
    """What panels chose for a domain of change (sessions per domain rather than per subdoel)."""

    naam: str
    groepskeuzes: list[Groepskeuze]


@dataclass
class SubdoelSectie:
    subdoel: SubdoelInfo
    aantal: int
    bevestigd: int
    voorgesteld: int
    knelpunten: int
    positief: int
    balken: list[Balk]
    representatief: list[VerhaalWeergave]
    tegengeluid: list[VerhaalWeergave]
    woorden: list[str]
    bewegingen: list[Beweging]
    notitie: str = ""
    niet_citeerbaar: int = 0  # stories in this subdoel that may not be quoted
    voorstellen_buiten: int = 0  # suggested, not confirmed, and therefore not counted here
    groepskeuzes: list[Groepskeuze] = field(default_factory=list)


@dataclass
class BoomSectie:
    doelenboom: DoelenboomInfo
    subdoelen: list[SubdoelSectie]


@dataclass
class Thema:
    nummer: int
    naam: str  # a phrase from the stories
    woorden: list[str]
    aantal: int
    voorbeeld: VerhaalWeergave | None


@dataclass
class Omslag:
    ronde_titel: str
    ronde_slug: str
    periode: str
    aantal_verhalen: int
    aantal_citeerbaar: int
    per_bron: list[Balk]
    doelenbomen: list[str]
    vernauwing: str  # "" or e.g. "Wijk: Waterwijk"
    vraag: str | None
    alleen_bevestigd: bool = True


@dataclass
class PakketInhoud:
    titel: str
    omslag: Omslag
    bomen: list[BoomSectie]
    themas: list[Thema]
    aantal_los: int  # stories that fit no subdoel (well)
    samenvatting: list[str]  # B1 sentences for participants
    themas_notitie: str = ""
    domeinen: list[DomeinSectie] = field(default_factory=list)  # panels' choices per domain of change
