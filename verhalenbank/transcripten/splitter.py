"""Split a read transcript into proposed stories (passages), one per participant turn.

The rules, in order:
1. Speakers come from the reader (voice tags, `[Naam]` cues) or, for text, from `Naam:` at the
   start of a line. A header block (title, `Datum:`, `Plaats:` ...) is recognised generically:
   everything before a separator line (`-----`), or else everything before the first turn of a
   speaker who speaks more than once. Labels in the header are metadata, not speakers.
2. Consecutive turns of one speaker are merged.
3. The facilitator (named by the caller, a header line such as `Gespreksleider: Marieke`, or
   else the speaker who asks clearly the most questions) gives no stories: their turns are kept
   as the `context` shown above the next answer.
4. Very short turns ("Ja.", "Klopt.", "Ik ook.") are attached to their neighbour: to the
   preceding story as `[Naam: Ja.]` when they react to it, otherwise to the context of the next.
5. Without any speakers, every paragraph is a passage.

Inline interjections (`[Dini: Elke zondag!]`) and notes (`[gelach]`) stay in the text where
they are; a line that is only a note (`[einde opname]`) is left out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Iterable

from verhalenbank.transcripten import toestemming as consent
from verhalenbank.transcripten.readers import SPREKER_PATROON, GelezenTranscript, Segment, is_notitie

ROL_INWONER = "inwoner"
ROL_PROFESSIONAL = "professional"
ROL_FACILITATOR = "facilitator"
ROL_VRIJWILLIGER = "vrijwilliger"
ROLLEN = (ROL_INWONER, ROL_VRIJWILLIGER, ROL_PROFESSIONAL, ROL_FACILITATOR)
ROL_LABELS = {
    ROL_INWONER: "Inwoner",
    ROL_VRIJWILLIGER: "Vrijwilliger",
    ROL_PROFESSIONAL: "Professional",
    ROL_FACILITATOR: "Gespreksleider",
}

KORTE_BEURT_WOORDEN = 4
# A turn this short, by someone who already told a story, is a closing remark, not a new story.
KORTE_AFSLUITER_WOORDEN = 15
# A turn this short right after someone's story is a reaction to it ("Dat heb ik ook.").
REACTIE_WOORDEN = 8

# Header keys that name who led the session. This is meaning, not layout: no layout rule can
# tell "Gespreksleider: Marieke" from "Aanwezig: Marieke".
_FACILITATOR_SLEUTELS = re.compile(
    r"^(gespreks?leid(er|ster)|gespreksbegeleid(er|ster)|facilitator|moderator|interviewer|"
    r"begeleid(er|ster)|voorzitter|sessieleider|verteltafel ?leider)s?$",
    re.IGNORECASE,
)
# Used only when no label recurs, so the generic header rule has nothing to go on.
_KOP_SLEUTELS = {
    "datum", "tijd", "plaats", "locatie", "ronde", "aanwezig", "aanwezigen", "deelnemers",
    "onderwerp", "thema", "activiteit", "wijk", "duur", "opname", "notulist", "uitgewerkt door",
    "transcriptie", "gespreksleider", "gespreksleiders", "facilitator", "titel", "sessie",
}
_PROFESSIONAL_HINT = re.compile(
    r"werker|werkster|coördinator|coordinator|professional|verpleegkundige|consulent|medewerker|"
    r"ambtenaar|beleidsadviseur|huisarts|wijkagent|docent|coach|casemanager|ouderenadviseur|"
    r"welzijn|begeleider|begeleidster",
    re.IGNORECASE,
)
_VRIJWILLIGER_HINT = re.compile(r"vrijwillig|maatje|buddy", re.IGNORECASE)
_SCHEIDING = re.compile(r"^\s*([-=_*~#])\1{2,}\s*$|^\s*(?:[-=_*~#]\s){2,}[-=_*~#]\s*$")
_LABEL = re.compile(
    rf"^(?P<naam>{SPREKER_PATROON})\s*(?:\((?P<toelichting>[^()]{{1,60}})\))?\s*:(?:\s+(?P<rest>.*)|\s*)$",
    re.DOTALL,
)
_HAAK_LABEL = re.compile(rf"^\[(?P<naam>{SPREKER_PATROON})\]\s*(?::\s*)?(?P<rest>.*)$", re.DOTALL)
_NOTITIE_REGEL = re.compile(r"^\[[^\[\]]*\]$")
_NOTITIES = re.compile(r"\[[^\[\]]*\]")


@dataclass
class Passage:
    """A proposed story: one participant turn (or paragraph), with the facilitator's question."""

    tekst: str
    spreker: str | None = None
    rol: str = ROL_INWONER
    context: str | None = None
    begin: str | None = None
    eind: str | None = None
    positie: int = 0
    positie_eind: int = 0
    pagina: int | None = None
    # Consent of this story: True, False or None (unknown: never quoted, not stored from review).
    toestemming: bool | None = None
    citeren: bool | None = None

    @property
    def tijd(self) -> str | None:
        """Time span in the recording, as stored on the verhaal (`transcript_tijd`)."""
        if self.begin and self.eind:
            return f"{self.begin}–{self.eind}"
        return self.begin or self.eind

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Passage:
        velden = {naam: data.get(naam) for naam in cls.__dataclass_fields__ if naam in data}
        return cls(**velden)


@dataclass
class Voorstel:
    """The proposed split, stored as JSON on the Transcript until a person has reviewed it."""

    passages: list[Passage]
    rollen: dict[str, str] = field(default_factory=dict)  # speaker -> role
    beurten: dict[str, int] = field(default_factory=dict)  # speaker -> number of turns
    kop: list[str] = field(default_factory=list)  # header lines, as read
    kopgegevens: dict[str, str] = field(default_factory=dict)  # "Datum" -> "donderdag 16 april"
    slot: str | None = None  # facilitator's closing words, not followed by any answer
    meldingen: list[str] = field(default_factory=list)
    met_sprekers: bool = True
    # Per speaker: consent and quote consent (True/False/None) and the note they came from.
    toestemming: dict[str, bool | None] = field(default_factory=dict)
    citeren: dict[str, bool | None] = field(default_factory=dict)
    toestemming_bron: dict[str, str] = field(default_factory=dict)

    @property
    def sprekers(self) -> list[str]:
        return list(self.rollen)

    @property
    def gespreksleiders(self) -> list[str]:
        return [naam for naam, rol in self.rollen.items() if rol == ROL_FACILITATOR]

    def to_dict(self) -> dict:
        return {
            "passages": [passage.to_dict() for passage in self.passages],
            "rollen": dict(self.rollen),
            "beurten": dict(self.beurten),
            "kop": list(self.kop),
            "kopgegevens": dict(self.kopgegevens),
            "slot": self.slot,
            "meldingen": list(self.meldingen),
            "met_sprekers": self.met_sprekers,
            "toestemming": dict(self.toestemming),
            "citeren": dict(self.citeren),
            "toestemming_bron": dict(self.toestemming_bron),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Voorstel:
        return cls(
            passages=[Passage.from_dict(item) for item in data.get("passages", [])],
            rollen=dict(data.get("rollen") or {}),
            beurten=dict(data.get("beurten") or {}),
            kop=list(data.get("kop") or []),
            kopgegevens=dict(data.get("kopgegevens") or {}),
            slot=data.get("slot"),
            meldingen=list(data.get("meldingen") or []),
            met_sprekers=bool(data.get("met_sprekers", True)),
            toestemming=dict(data.get("toestemming") or {}),
            citeren=dict(data.get("citeren") or {}),
            toestemming_bron=dict(data.get("toestemming_bron") or {}),
        )


@dataclass
class _Beurt:
    spreker: str | None
    delen: list[str]
    begin: str | None
    eind: str | None
    positie: int
    positie_eind: int
    pagina: int | None
    laatste_alinea: int

    @classmethod
    def vanaf(cls, segment: Segment, spreker: str | None = None, delen: list[str] | None = None) -> "_Beurt":
        """A turn that starts at ``segment``."""
        return cls(spreker, delen if delen is not None else [], segment.begin, segment.eind, segment.positie,
                   segment.positie, segment.pagina, segment.alinea)

    @property
    def tekst(self) -> str:
        return "".join(self.delen).strip()


def stel_voor(
    gelezen: GelezenTranscript | list[Segment],
    *,
    gespreksleiders: Iterable[str] = (),
    rollen: dict[str, str] | None = None,
    korte_beurt_woorden: int = KORTE_BEURT_WOORDEN,
) -> Voorstel:
    """Propose the passages of a transcript.

    `gespreksleiders`: facilitator name(s) as typed on the upload form ("Marieke de Vries"
    matches the label "Marieke"). `rollen`: roles a person chose per speaker; they win over
    every guess.
    """
    segmenten = gelezen.segmenten if isinstance(gelezen, GelezenTranscript) else list(gelezen)
    meldingen = list(gelezen.meldingen) if isinstance(gelezen, GelezenTranscript) else []
    cue_modus = any(segment.spreker for segment in segmenten)

    kop: list[str] = []
    kopgegevens: dict[str, str] = {}
    label_hints: dict[str, str] = {}
    if cue_modus:
        beurten = _beurten_uit_cues(segmenten)
    else:
        kop_einde, sprekers = _vind_kop_en_sprekers(segmenten)
        kop = [segment.tekst for segment in segmenten[:kop_einde] if not _SCHEIDING.match(segment.tekst)]
        kopgegevens = _kopgegevens(kop)
        beurten, label_hints = _beurten_uit_regels(segmenten[kop_einde:], sprekers)
        if not sprekers:
            # No speakers at all: every paragraph is a passage; keep the header too if there was
            # no separator, since without speakers "header" is only a guess.
            beurten = _beurten_uit_alineas(segmenten if not _heeft_scheiding(segmenten) else segmenten[kop_einde:])
            kop, kopgegevens = ([], {}) if not _heeft_scheiding(segmenten) else (kop, kopgegevens)

    beurten = _voeg_opeenvolgende_samen(beurten)
    met_sprekers = any(beurt.spreker for beurt in beurten)
    beurten_per_spreker = Counter(beurt.spreker for beurt in beurten if beurt.spreker)

    voorgestelde_rollen = _stel_rollen_voor(
        beurten, beurten_per_spreker, kopgegevens, label_hints, list(gespreksleiders)
    )
    for naam, rol in (rollen or {}).items():
        if naam in voorgestelde_rollen and rol in ROLLEN:
            voorgestelde_rollen[naam] = rol

    passages, slot = _maak_passages(beurten, voorgestelde_rollen, korte_beurt_woorden)
    voorstel = Voorstel(
        passages=passages,
        rollen=voorgestelde_rollen,
        beurten=dict(beurten_per_spreker),
        kop=kop,
        kopgegevens=kopgegevens,
        slot=slot,
        meldingen=meldingen,
        met_sprekers=met_sprekers,
    )
    lees_toestemming(voorstel)
    return voorstel


def lees_toestemming(voorstel: Voorstel) -> None:
    """Prefill consent per speaker and per story from the header and the speakers' own words."""
    gevonden = consent.lees_kop(voorstel.kop, voorstel.sprekers)
    voorstel.toestemming = gevonden.toestemming
    voorstel.citeren = gevonden.citeren
    voorstel.toestemming_bron = gevonden.bron
    for passage in voorstel.passages:
        if passage.spreker and consent.wil_niet_geciteerd(passage.tekst):
            voorstel.citeren[passage.spreker] = False
            voorstel.toestemming_bron[passage.spreker] = "Zegt zelf in het gesprek niet geciteerd te willen worden."
    zet_toestemming_per_spreker(voorstel)


def zet_toestemming_per_spreker(
    voorstel: Voorstel,
    toestemming: dict[str, bool | None] | None = None,
    citeren: dict[str, bool | None] | None = None,
) -> None:
    """Set the speakers' consent (given values win) and give every story its teller's values.

    A story whose own words refuse quoting stays unquoted whatever its teller's setting.
    """
    for naam, waarde in (toestemming or {}).items():
        if naam in voorstel.rollen:
            voorstel.toestemming[naam] = waarde
    for naam, waarde in (citeren or {}).items():
        if naam in voorstel.rollen:
            voorstel.citeren[naam] = waarde
    for passage in voorstel.passages:
        if not passage.spreker:
            continue
        passage.toestemming = voorstel.toestemming.get(passage.spreker)
        passage.citeren = voorstel.citeren.get(passage.spreker)
        if consent.wil_niet_geciteerd(passage.tekst):
            passage.citeren = False


def vul_toestemming_aan(voorstel: Voorstel, *, toestemming: bool, citeren: bool) -> None:
    """What the uploader confirmed for the whole session fills in what the transcript left open
    (never over a 'no' the transcript records)."""
    for naam in voorstel.sprekers:
        if toestemming and voorstel.toestemming.get(naam) is None:
            voorstel.toestemming[naam] = True
        if citeren and voorstel.citeren.get(naam) is None and voorstel.toestemming.get(naam) is not False:
            voorstel.citeren[naam] = True
    for passage in voorstel.passages:
        if passage.spreker:
            continue
        if toestemming and passage.toestemming is None:
            passage.toestemming = True
        if citeren and passage.citeren is None and not consent.wil_niet_geciteerd(passage.tekst):
            passage.citeren = True
    zet_toestemming_per_spreker(voorstel)


# --- finding the header and the speakers ---------------------------------------------------


def _label_van(tekst: str) -> tuple[str, str, str | None] | None:
    """(speaker, rest of the line, note in parentheses) for a `Naam:` or `[Naam]` line."""
    treffer = _LABEL.match(tekst)
    if treffer and not is_notitie(treffer.group("naam")):
        return treffer.group("naam").strip(), (treffer.group("rest") or "").strip(), treffer.group("toelichting")
    treffer = _HAAK_LABEL.match(tekst)
    if treffer and not is_notitie(treffer.group("naam")) and treffer.group("rest").strip():
        return treffer.group("naam").strip(), treffer.group("rest").strip(), None
    return None


def _heeft_scheiding(segmenten: list[Segment]) -> bool:
    return any(_SCHEIDING.match(segment.tekst) for segment in segmenten)


def _vind_kop_en_sprekers(segmenten: list[Segment]) -> tuple[int, set[str]]:
    """Index where the body starts, and the speaker labels found in the body."""
    labels = [_label_van(segment.tekst) for segment in segmenten]
    tellingen = Counter(label[0] for label in labels if label)

    kop_einde = 0
    for index, segment in enumerate(segmenten):
        if _SCHEIDING.match(segment.tekst) and any(labels[index + 1 :]):
            kop_einde = index + 1
            break
    else:
        terugkerend = [index for index, label in enumerate(labels) if label and tellingen[label[0]] >= 2]
        if terugkerend:
            kop_einde = terugkerend[0]
        else:
            # Nobody speaks twice: only well-known header keys in the first paragraph are header.
            eerste_alinea = segmenten[0].alinea if segmenten else 0
            for index, segment in enumerate(segmenten):
                if segment.alinea != eerste_alinea:
                    break
                label = labels[index]
                if label is None or label[0].lower() in _KOP_SLEUTELS:
                    kop_einde = index + 1
                else:
                    break
            if not any(labels[kop_einde:]):
                kop_einde = 0

    sprekers = {label[0] for label in labels[kop_einde:] if label}
    return kop_einde, sprekers


def _kopgegevens(kop: list[str]) -> dict[str, str]:
    gegevens: dict[str, str] = {}
    for regel in kop:
        treffer = re.match(r"^(?P<sleutel>[^\W\d_][\w .'\-]{0,40}?)\s*:\s*(?P<waarde>\S.*)$", regel)
        if treffer:
            gegevens.setdefault(treffer.group("sleutel").strip(), treffer.group("waarde").strip())
    return gegevens


# --- turns ---------------------------------------------------------------------------------


def _beurten_uit_cues(segmenten: list[Segment]) -> list[_Beurt]:
    beurten: list[_Beurt] = []
    for segment in segmenten:
        if _NOTITIE_REGEL.match(segment.tekst.strip()):
            continue
        beurten.append(_Beurt.vanaf(segment, segment.spreker, [segment.tekst]))
    return beurten


def _beurten_uit_regels(segmenten: list[Segment], sprekers: set[str]) -> tuple[list[_Beurt], dict[str, str]]:
    beurten: list[_Beurt] = []
    hints: dict[str, str] = {}
    huidige: _Beurt | None = None
    for segment in segmenten:
        tekst = segment.tekst.strip()
        if _SCHEIDING.match(tekst) or _NOTITIE_REGEL.match(tekst):
            continue
        label = _label_van(tekst)
        if label and label[0] in sprekers:
            naam, rest, toelichting = label
            if toelichting:
                hints.setdefault(naam, toelichting)
            huidige = _Beurt.vanaf(segment, naam, [rest] if rest else [])
            beurten.append(huidige)
            continue
        if huidige is None:
            huidige = _Beurt.vanaf(segment)
            beurten.append(huidige)
        _voeg_segment_toe(huidige, segment)
    return [beurt for beurt in beurten if beurt.tekst], hints


def _beurten_uit_alineas(segmenten: list[Segment]) -> list[_Beurt]:
    beurten: list[_Beurt] = []
    huidige: _Beurt | None = None
    for segment in segmenten:
        tekst = segment.tekst.strip()
        if _SCHEIDING.match(tekst) or _NOTITIE_REGEL.match(tekst):
            continue
        if huidige is None or segment.alinea != huidige.laatste_alinea:
            huidige = _Beurt.vanaf(segment)
            beurten.append(huidige)
        _voeg_segment_toe(huidige, segment)
    return [beurt for beurt in beurten if beurt.tekst]


def _voeg_segment_toe(beurt: _Beurt, segment: Segment) -> None:
    if beurt.delen:
        beurt.delen.append(" " if segment.alinea == beurt.laatste_alinea else "\n\n")
    beurt.delen.append(segment.tekst.strip())
    beurt.laatste_alinea = segment.alinea
    beurt.positie_eind = segment.positie
    beurt.eind = segment.eind or beurt.eind
    beurt.begin = beurt.begin or segment.begin


def _voeg_opeenvolgende_samen(beurten: list[_Beurt]) -> list[_Beurt]:
    samen: list[_Beurt] = []
    for beurt in beurten:
        if samen and beurt.spreker and samen[-1].spreker == beurt.spreker:
            vorige = samen[-1]
            vorige.delen.append(" ")
            vorige.delen.extend(beurt.delen)
            vorige.positie_eind = beurt.positie_eind
            vorige.eind = beurt.eind or vorige.eind
            vorige.laatste_alinea = beurt.laatste_alinea
        else:
            samen.append(beurt)
    return samen


# --- roles ---------------------------------------------------------------------------------


def naam_past_bij(spreker: str, naam: str) -> bool:
    """Does a typed name ("Marieke de Vries (welzijnswerker)") denote this speaker label?"""
    spreker_schoon = _schone_naam(spreker)
    naam_schoon = _schone_naam(naam)
    if not spreker_schoon or not naam_schoon:
        return False
    return (
        spreker_schoon == naam_schoon
        or spreker_schoon == naam_schoon.split()[0]
        or naam_schoon == spreker_schoon.split()[0]
    )


def _schone_naam(naam: str) -> str:
    return re.sub(r"\([^)]*\)", " ", naam).strip().casefold()


def _namen_in(waarde: str) -> list[tuple[str, str | None]]:
    """Names and their parenthetical notes in "Gerrit, Wilma (vrijwilliger) en Bert"."""
    namen = []
    for deel in re.split(r",|;|/|&|\s+en\s+", waarde):
        treffer = re.match(r"^\s*(?P<naam>[^()]+?)\s*(?:\((?P<toelichting>[^)]*)\))?\s*$", deel)
        if treffer and treffer.group("naam").strip():
            namen.append((treffer.group("naam").strip(), treffer.group("toelichting")))
    return namen


def _stel_rollen_voor(
    beurten: list[_Beurt],
    beurten_per_spreker: Counter,
    kopgegevens: dict[str, str],
    label_hints: dict[str, str],
    gespreksleiders: list[str],
) -> dict[str, str]:
    sprekers = list(dict.fromkeys(beurt.spreker for beurt in beurten if beurt.spreker))
    rollen = {spreker: ROL_INWONER for spreker in sprekers}

    # Professions in the header ("Wilma (welzijnswerker)") or on a label ("Marieke (jongerenwerker):").
    hints = dict(label_hints)
    for waarde in kopgegevens.values():
        for naam, toelichting in _namen_in(waarde):
            if toelichting:
                for spreker in sprekers:
                    if naam_past_bij(spreker, naam):
                        hints.setdefault(spreker, toelichting)
    for spreker, toelichting in hints.items():
        if spreker in rollen and _VRIJWILLIGER_HINT.search(toelichting):
            rollen[spreker] = ROL_VRIJWILLIGER
        elif spreker in rollen and _PROFESSIONAL_HINT.search(toelichting):
            rollen[spreker] = ROL_PROFESSIONAL

    leiders = list(gespreksleiders)
    for sleutel, waarde in kopgegevens.items():
        if _FACILITATOR_SLEUTELS.match(sleutel):
            leiders.extend(naam for naam, _ in _namen_in(waarde))
    gevonden = [
        spreker for spreker in sprekers
        # A label that is itself the role ("Gespreksleider: Wie begint?") names the facilitator too.
        if any(naam_past_bij(spreker, naam) for naam in leiders) or _FACILITATOR_SLEUTELS.match(spreker)
    ]
    if not gevonden:
        vrager = _meeste_vragen(beurten, beurten_per_spreker)
        gevonden = [vrager] if vrager else []
    for spreker in gevonden:
        rollen[spreker] = ROL_FACILITATOR
    return rollen


def _meeste_vragen(beurten: list[_Beurt], beurten_per_spreker: Counter) -> str | None:
    """The speaker who clearly asks the most questions; ties go to who opened the session."""
    if len(beurten_per_spreker) < 2:
        return None
    vragen = Counter(beurt.spreker for beurt in beurten if beurt.spreker and "?" in beurt.tekst)
    if not vragen:
        return None
    opener = next((beurt.spreker for beurt in beurten if beurt.spreker), None)
    rangorde = sorted(vragen.items(), key=lambda item: (item[1], item[0] == opener), reverse=True)
    naam, aantal = rangorde[0]
    tweede = rangorde[1][1] if len(rangorde) > 1 else 0
    if aantal < 2 or aantal / beurten_per_spreker[naam] < 0.3:
        return None
    if aantal == tweede and naam != opener:
        return None
    return naam


# --- passages ------------------------------------------------------------------------------


def aantal_woorden(tekst: str) -> int:
    """Words a person said: bracketed notes and interjections do not count."""
    return len(re.findall(r"\w+", _NOTITIES.sub(" ", tekst)))


def _maak_passages(
    beurten: list[_Beurt], rollen: dict[str, str], korte_beurt_woorden: int
) -> tuple[list[Passage], str | None]:
    passages: list[Passage] = []
    context: list[str] = []
    # The facilitator's last words stay the context of every answer until they speak again,
    # so each answer in a round ("Een bus die vaker rijdt.") keeps the question it answers.
    laatste_context: str | None = None
    vorige_was_verhaal = False
    # Did another participant speak since the last story (then an answer is not a follow-up)?
    ander_sinds_verhaal = False
    # Inside a round of one-liners that answer the same question.
    in_rondje = False
    laatste_van: dict[str, Passage] = {}
    for beurt in beurten:
        tekst = beurt.tekst
        rol = rollen.get(beurt.spreker, ROL_INWONER) if beurt.spreker else ROL_INWONER
        als_regel = f"{beurt.spreker}: {tekst}" if beurt.spreker else tekst

        if rol == ROL_FACILITATOR:
            if not context:
                laatste_context = None
            context.append(als_regel)
            vorige_was_verhaal = False
            in_rondje = False
            continue

        vorige = passages[-1] if passages and vorige_was_verhaal else None
        if vorige is not None and beurt.spreker and vorige.spreker == beurt.spreker:
            # The same speaker goes on after a short interjection of someone else.
            _verleng(vorige, " " + tekst, beurt)
            continue
        woorden = aantal_woorden(tekst)
        if vorige is not None and woorden <= REACTIE_WOORDEN:
            # A short reaction to the story just told stays inside it, as an interjection.
            _verleng(vorige, f" [{beurt.spreker}: {tekst}]" if beurt.spreker else f"\n\n{tekst}", beurt)
            continue
        if woorden <= korte_beurt_woorden:
            if vorige is not None:
                _verleng(vorige, f" [{beurt.spreker}: {tekst}]" if beurt.spreker else f"\n\n{tekst}", beurt)
            else:
                context.append(als_regel)
                ander_sinds_verhaal = True
            continue
        if (
            beurt.spreker and passages and context and not ander_sinds_verhaal
            and passages[-1].spreker == beurt.spreker
        ):
            # A follow-up question and its answer continue the story they ask about.
            _verleng(passages[-1], f"\n\n[{_vraag_uit(context)}]\n{tekst}", beurt)
            context = []
            vorige_was_verhaal = True
            continue
        if (
            beurt.spreker and beurt.spreker in laatste_van and woorden <= KORTE_AFSLUITER_WOORDEN
            and (context or in_rondje)
        ):
            # A one-liner in a closing round ("Een bus die vaker rijdt.") joins that speaker's
            # story, so it keeps that teller's consent and does not stand alone as a "story".
            vraag = _vraag_uit(context) if context else (_vraag_uit([laatste_context]) if laatste_context else None)
            _verleng(laatste_van[beurt.spreker], f"\n\n[{vraag}]\n{tekst}" if vraag else f"\n\n{tekst}", beurt)
            if context:
                laatste_context = "\n".join(context)
                context = []
            vorige_was_verhaal = False
            ander_sinds_verhaal = True
            in_rondje = True
            continue

        passages.append(
            Passage(
                tekst=tekst,
                spreker=beurt.spreker,
                rol=rol,
                context="\n".join(context) or laatste_context,
                begin=beurt.begin,
                eind=beurt.eind,
                positie=beurt.positie,
                positie_eind=beurt.positie_eind,
                pagina=beurt.pagina,
            )
        )
        if beurt.spreker:
            laatste_van[beurt.spreker] = passages[-1]
        laatste_context = passages[-1].context
        context = []
        vorige_was_verhaal = True
        ander_sinds_verhaal = False
        in_rondje = False
    return passages, "\n".join(context) or None


def _vraag_uit(context: list[str]) -> str:
    """The question a follow-up answers: the last sentence with a question mark, with its speaker."""
    regels = [regel for deel in context if deel for regel in deel.splitlines()]
    regel = next((r for r in reversed(regels) if "?" in r), regels[-1] if regels else "")
    spreker, scheiding, rest = regel.partition(": ")
    if not scheiding:
        spreker, rest = "", regel
    zinnen = [zin for zin in re.split(r"(?<=[.!?])\s+", rest) if zin.strip()]
    vragen = [zin for zin in zinnen if "?" in zin]
    vraag = vragen[-1] if vragen else (zinnen[-1] if zinnen else rest)
    return f"{spreker}: {vraag}" if spreker else vraag


def _verleng(passage: Passage, tekst: str, beurt: _Beurt) -> None:
    passage.tekst = (passage.tekst + tekst).strip()
    passage.positie_eind = beurt.positie_eind
    passage.eind = beurt.eind or passage.eind
