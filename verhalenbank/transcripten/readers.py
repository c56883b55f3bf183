"""Read transcript files (.txt, .docx, .pdf, .vtt, .srt) into one common structure.

Every reader returns a `GelezenTranscript`: a flat list of `Segment`s (one line of text or one
subtitle cue) in source order, each with the speaker when the format names one, its timestamps
when the format has them, and its place in the source. Splitting into stories happens in
`splitter.py`; the readers only read.

Anything wrong with the file raises `TranscriptLeesfout` with a plain-Dutch message that names
the file; callers show it as is (web) or print it on one line (CLI).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from verhalenbank.core.errors import Ongeldig

MAX_BESTANDSGROOTTE = 20 * 1024 * 1024
FORMATEN = ("txt", "docx", "pdf", "vtt", "srt")
FORMATEN_TEKST = ".txt, .docx, .pdf, .vtt of .srt"

# Bracketed notes that transcribers put in the text; never a speaker's name.
NOTITIE_WOORDEN = {
    "gelach", "lacht", "lachen", "stilte", "pauze", "onverstaanbaar", "onhoorbaar", "applaus",
    "muziek", "geluid", "kuch", "zucht", "zucht diep", "huilt", "door elkaar", "iedereen lacht",
    "begin opname", "einde opname", "opname start", "opname stopt", "inaudible", "laughter",
    "laughs", "silence", "crosstalk", "music", "applause", "pause",
}

# A speaker label: a capitalised name of at most four words, Dutch particles allowed
# ("Jan van der Berg"), optionally with a number ("Deelnemer 2").
_PARTIKELS = r"(?:van|de|der|den|het|ter|ten|te|op|in|el|al|bin|ibn|da|di|du|le|la|von|zu)"
# Starts with a capital: Latin (with Latin Extended, e.g. Łukasz, Şükrü), Greek or Cyrillic.
_HOOFDLETTER_WOORD = r"[A-ZÀ-ÖØ-ÞĀ-ɏΑ-ΩА-ЯЁ][\w'’.\-]*"
SPREKER_PATROON = (
    rf"{_HOOFDLETTER_WOORD}(?:\s+(?:{_HOOFDLETTER_WOORD}|{_PARTIKELS}|\d{{1,3}})){{0,3}}"
)
_TIJD = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# "[00:01:23] ", "(01:23) " or a bare "00:01:23 " at the start of a text line; a bare "10:30"
# is too often a clock time in a sentence.
_REGEL_TIJD = re.compile(
    rf"^\s*(?:[\[(](?P<tijd>{_TIJD})[\])]|(?P<tijd_los>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?))\s*[-–]?\s*"
)
_STEM_TAG = re.compile(r"<v(?:\.[\w\-]+)*\s+([^>]+)>", re.IGNORECASE)
_CUE_TAG = re.compile(r"</?[^>\n]*>")


class TranscriptLeesfout(Ongeldig):
    """The file cannot be read as a transcript; `bericht` says why, in plain Dutch."""


@dataclass(frozen=True)
class Segment:
    """One line of text, or one subtitle cue (part), in source order.

    `positie` is the place in the source a person can find back: line number (.txt, .pdf),
    paragraph number (.docx) or cue number (.vtt, .srt), 1-based. `alinea` numbers the
    paragraphs (blocks separated by blank lines); each cue is its own alinea.
    """

    tekst: str
    spreker: str | None = None
    begin: str | None = None
    eind: str | None = None
    positie: int = 0
    alinea: int = 0
    pagina: int | None = None


@dataclass
class GelezenTranscript:
    formaat: str
    segmenten: list[Segment]
    meldingen: list[str] = field(default_factory=list)
    codering: str | None = None

    @property
    def heeft_sprekers(self) -> bool:
        return any(segment.spreker for segment in self.segmenten)

    def to_dict(self) -> dict:
        return {
            "formaat": self.formaat,
            "codering": self.codering,
            "meldingen": list(self.meldingen),
            "segmenten": [asdict(segment) for segment in self.segmenten],
        }


def formaat_van(bestandsnaam: str) -> str:
    """The format from the file name's extension, or a user error for an unknown one."""
    extensie = Path(bestandsnaam).suffix.lower().lstrip(".")
    if extensie in FORMATEN:
        return extensie
    naam = Path(bestandsnaam).name
    if extensie == "doc":
        raise TranscriptLeesfout(
            f"‘{naam}’ is een oud Word-bestand (.doc). Sla het in Word op als .docx en probeer het opnieuw."
        )
    soort = f"(.{extensie})" if extensie else "(zonder extensie)"
    raise TranscriptLeesfout(
        f"‘{naam}’ kan niet gelezen worden: dit soort bestand {soort} kennen we niet. "
        f"Kies een {FORMATEN_TEKST} bestand."
    )


def controleer_grootte(bestandsnaam: str, grootte: int) -> None:
    naam = Path(bestandsnaam).name
    if grootte > MAX_BESTANDSGROOTTE:
        megabytes = grootte / (1024 * 1024)
        raise TranscriptLeesfout(
            f"‘{naam}’ is te groot ({megabytes:.1f} MB). Een transcript mag hoogstens 20 MB zijn."
        )
    if grootte == 0:
        raise TranscriptLeesfout(f"‘{naam}’ is leeg: er staat geen tekst in, dus er zijn geen verhalen gevonden.")


def lees_pad(pad: str | Path) -> GelezenTranscript:
    """Read a transcript from disk (checks the size before reading it into memory)."""
    pad = Path(pad)
    formaat_van(pad.name)
    try:
        grootte = pad.stat().st_size
    except OSError:
        raise TranscriptLeesfout(f"‘{pad.name}’ bestaat niet of kan niet geopend worden.") from None
    controleer_grootte(pad.name, grootte)
    return lees_transcript(pad.read_bytes(), pad.name)


def lees_transcript(
    inhoud: bytes, bestandsnaam: str, *, voortgang: Callable[[int], None] | None = None
) -> GelezenTranscript:
    """Read the bytes of an uploaded transcript; `bestandsnaam` only decides the format and
    appears in messages (it is never used as a path). `voortgang` gets 0-100 while reading."""
    formaat = formaat_van(bestandsnaam)
    controleer_grootte(bestandsnaam, len(inhoud))
    naam = Path(bestandsnaam).name
    lezer = {
        "txt": _lees_txt,
        "docx": _lees_docx,
        "pdf": _lees_pdf,
        "vtt": _lees_vtt,
        "srt": _lees_srt,
    }[formaat]
    gelezen = lezer(inhoud, naam, voortgang or (lambda _procent: None))
    if voortgang:
        voortgang(100)
    if not any(segment.tekst.strip() for segment in gelezen.segmenten):
        raise TranscriptLeesfout(f"‘{naam}’ is leeg: er staat geen tekst in, dus er zijn geen verhalen gevonden.")
    return gelezen


# --- text decoding -------------------------------------------------------------------------

_CODERING_NAMEN = {
    "utf_8": "UTF-8",
    "utf_16": "UTF-16",
    "cp1252": "Windows-1252 (Latin-1)",
    "latin_1": "ISO-8859-1 (Latin-1)",
}


def decodeer_tekst(inhoud: bytes, naam: str) -> tuple[str, str, list[str]]:
    """Decode text bytes: UTF-8 (with or without BOM) first, then the Western single-byte
    encodings older Windows tools write. Returns (text, encoding name, notices).

    charset-normalizer is limited to the encodings a Dutch transcript can plausibly have:
    left free it happily reads Latin-1 as Baltic cp775 ("cafķ").
    """
    if inhoud.startswith(b"\xef\xbb\xbf"):
        inhoud = inhoud[3:]
        try:
            return _zonder_regeleinde_chaos(inhoud.decode("utf-8")), "UTF-8", []
        except UnicodeDecodeError:
            raise TranscriptLeesfout(
                f"‘{naam}’ zegt UTF-8 te zijn, maar bevat tekens die geen UTF-8 zijn. Sla het opnieuw op als UTF-8."
            ) from None
    if inhoud.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _zonder_regeleinde_chaos(inhoud.decode("utf-16")), "UTF-16", []
        except UnicodeDecodeError:
            raise _geen_tekst(naam) from None
    if b"\x00" in inhoud:
        raise _geen_tekst(naam)
    try:
        return _zonder_regeleinde_chaos(inhoud.decode("utf-8")), "UTF-8", []
    except UnicodeDecodeError:
        pass

    from charset_normalizer import from_bytes

    beste = from_bytes(inhoud, cp_isolation=["cp1252", "latin_1"]).best()
    if beste is None:
        raise _geen_tekst(naam)
    codering = beste.encoding
    if codering == "cp1252" and not any(0x80 <= byte <= 0x9F for byte in inhoud):
        # Without bytes in 0x80-0x9F the two are identical; call it what people know it as.
        codering = "latin_1"
    tekst = inhoud.decode(codering)
    if _is_binair(tekst):
        raise _geen_tekst(naam)
    leesbare_naam = _CODERING_NAMEN.get(codering, codering)
    melding = f"‘{naam}’ was niet in UTF-8 opgeslagen; het is gelezen als {leesbare_naam}. Controleer of letters als é, ë en ï goed staan."
    return _zonder_regeleinde_chaos(tekst), leesbare_naam, [melding]


def _zonder_regeleinde_chaos(tekst: str) -> str:
    return tekst.replace("\r\n", "\n").replace("\r", "\n")


def _is_binair(tekst: str) -> bool:
    besturing = sum(1 for teken in tekst if ord(teken) < 32 and teken not in "\n\r\t\f")
    return besturing > max(2, len(tekst) // 100)


def _geen_tekst(naam: str) -> TranscriptLeesfout:
    return TranscriptLeesfout(f"‘{naam}’ is geen leesbaar tekstbestand (het lijkt een ander soort bestand).")


# --- plain text ----------------------------------------------------------------------------


def _lees_txt(inhoud: bytes, naam: str, _voortgang: Callable[[int], None]) -> GelezenTranscript:
    tekst, codering, meldingen = decodeer_tekst(inhoud, naam)
    return GelezenTranscript("txt", _regels_naar_segmenten(tekst.split("\n")), meldingen, codering)


def _regels_naar_segmenten(regels: list[str], *, pagina_per_regel: list[int] | None = None) -> list[Segment]:
    segmenten: list[Segment] = []
    alinea = 1
    vorige_leeg = False
    for nummer, regel in enumerate(regels, start=1):
        schoon = regel.strip().replace("\u00a0", " ")
        if not schoon:
            vorige_leeg = True
            continue
        if vorige_leeg and segmenten:
            alinea += 1
        vorige_leeg = False
        begin = None
        tijd = _REGEL_TIJD.match(schoon)
        if tijd and len(schoon) > tijd.end():
            begin = _normaliseer_tijd(tijd.group("tijd") or tijd.group("tijd_los"))
            schoon = schoon[tijd.end():]
        segmenten.append(
            Segment(
                tekst=schoon,
                begin=begin,
                positie=nummer,
                alinea=alinea,
                pagina=pagina_per_regel[nummer - 1] if pagina_per_regel else None,
            )
        )
    return segmenten


def _normaliseer_tijd(tijd: str) -> str:
    tijd = tijd.replace(",", ".")
    if tijd.count(":") == 1:
        tijd = "00:" + tijd
    uren, rest = tijd.split(":", 1)
    return f"{int(uren):02d}:{rest}"


# --- Word ----------------------------------------------------------------------------------


def _lees_docx(inhoud: bytes, naam: str, _voortgang: Callable[[int], None]) -> GelezenTranscript:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(inhoud))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise TranscriptLeesfout(
            f"‘{naam}’ kan niet als Word-bestand (.docx) gelezen worden: het is beschadigd of geen Word-bestand."
        ) from None
    except Exception:  # lxml and zip errors on damaged files come in many kinds
        raise TranscriptLeesfout(
            f"‘{naam}’ kan niet als Word-bestand (.docx) gelezen worden: het is beschadigd of geen Word-bestand."
        ) from None

    # Paragraph texts in document order, tables row by row ("Naam | tekst" becomes "Naam: tekst").
    alineas: list[str] = []
    for blok in document.element.body.iterchildren():
        tag = blok.tag.rsplit("}", 1)[-1]
        if tag == "p":
            alineas.append(docx.text.paragraph.Paragraph(blok, document).text)
        elif tag == "tbl":
            tabel = docx.table.Table(blok, document)
            for rij in tabel.rows:
                cellen = [cel.text.strip() for cel in rij.cells]
                cellen = [c for i, c in enumerate(cellen) if c and c not in cellen[:i]]
                if len(cellen) >= 2 and re.fullmatch(SPREKER_PATROON, cellen[0]):
                    alineas.append(f"{cellen[0]}: {' '.join(cellen[1:])}")
                elif cellen:
                    alineas.append(" ".join(cellen))
                alineas.append("")

    # Some documents separate blocks with empty paragraphs, others make every paragraph a block.
    gebruikt_lege_alineas = any(not tekst.strip() for tekst in alineas[1:-1])
    segmenten: list[Segment] = []
    alinea = 0
    vorige_leeg = True
    for nummer, tekst in enumerate(alineas, start=1):
        regels = [regel.strip().replace("\u00a0", " ") for regel in tekst.split("\n")]
        regels = [regel for regel in regels if regel]
        if not regels:
            vorige_leeg = True
            continue
        if vorige_leeg or not gebruikt_lege_alineas:
            alinea += 1
        vorige_leeg = False
        for regel in regels:
            segmenten.append(Segment(tekst=regel, positie=nummer, alinea=alinea))
    return GelezenTranscript("docx", segmenten)


# --- PDF -----------------------------------------------------------------------------------


def _lees_pdf(inhoud: bytes, naam: str, voortgang: Callable[[int], None]) -> GelezenTranscript:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    niet_pdf = TranscriptLeesfout(
        f"‘{naam}’ kan niet als PDF gelezen worden: het bestand is beschadigd of geen PDF."
    )
    versleuteld = TranscriptLeesfout(
        f"‘{naam}’ is beveiligd met een wachtwoord. Sla de PDF op zonder beveiliging, of lever de tekst "
        "als .docx of .txt aan."
    )
    if b"%PDF-" not in inhoud[:1024]:
        raise niet_pdf
    try:
        lezer = PdfReader(io.BytesIO(inhoud))
        if lezer.is_encrypted:
            # A PDF with only an owner password opens with an empty user password, as in any viewer.
            try:
                if not lezer.decrypt(""):
                    raise versleuteld
            except (DependencyError, FileNotDecryptedError, NotImplementedError):
                raise versleuteld from None
        regels: list[str] = []
        pagina_per_regel: list[int] = []
        aantal_paginas = len(lezer.pages)
        for paginanummer, pagina in enumerate(lezer.pages, start=1):
            voortgang(100 * (paginanummer - 1) // max(aantal_paginas, 1))
            tekst = pagina.extract_text() or ""
            for regel in tekst.replace("\r\n", "\n").split("\n"):
                regels.append(regel)
                pagina_per_regel.append(paginanummer)
    except TranscriptLeesfout:
        raise
    except (FileNotDecryptedError, DependencyError):
        raise versleuteld from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        raise niet_pdf from None
    except Exception:  # pypdf raises a wide range of errors on damaged files
        raise niet_pdf from None

    if not any(regel.strip() for regel in regels):
        raise TranscriptLeesfout(
            f"‘{naam}’ bevat geen tekst die we kunnen lezen; het is waarschijnlijk een scan of een foto. "
            "Lever de tekst aan als .docx of .txt, of als PDF met tekst."
        )
    return GelezenTranscript("pdf", _regels_naar_segmenten(regels, pagina_per_regel=pagina_per_regel))


# --- subtitles -----------------------------------------------------------------------------


def _lees_vtt(inhoud: bytes, naam: str, _voortgang: Callable[[int], None]) -> GelezenTranscript:
    return _lees_ondertitels(inhoud, naam, "vtt")


def _lees_srt(inhoud: bytes, naam: str, _voortgang: Callable[[int], None]) -> GelezenTranscript:
    return _lees_ondertitels(inhoud, naam, "srt")


def _lees_ondertitels(inhoud: bytes, naam: str, formaat: str) -> GelezenTranscript:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    tekst, codering, meldingen = decodeer_tekst(inhoud, naam)
    if not tekst.strip():
        raise TranscriptLeesfout(f"‘{naam}’ is leeg: er staat geen tekst in, dus er zijn geen verhalen gevonden.")
    soort = "WebVTT-ondertitelbestand (.vtt)" if formaat == "vtt" else "SubRip-ondertitelbestand (.srt)"
    try:
        bestand = webvtt.from_buffer(io.StringIO(tekst), format=formaat)
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError):
        raise TranscriptLeesfout(
            f"‘{naam}’ kan niet gelezen worden als {soort}: de tijden of de opbouw kloppen niet."
        ) from None
    if not bestand.captions:
        raise TranscriptLeesfout(f"‘{naam}’ bevat geen ondertitels als {soort}, dus er zijn geen verhalen gevonden.")

    ruwe_cues = [
        (nummer, caption.start, caption.end, caption.raw_text)
        for nummer, caption in enumerate(bestand.captions, start=1)
    ]
    return GelezenTranscript(formaat, cues_naar_segmenten(ruwe_cues), meldingen, codering)


def cues_naar_segmenten(cues: list[tuple[int, str, str, str]]) -> list[Segment]:
    """Turn (number, start, end, raw text) cues into segments with speakers.

    A speaker comes from a `<v Naam>` voice tag, a `[Naam]` prefix or a `Naam:` prefix; a cue
    without one continues the previous speaker (subtitles only name the speaker on a change).
    A `Naam:` prefix only counts when that name opens a cue more than once or is already known
    as a speaker, so "Gewoon: vrijdag open" in running speech is not a speaker.
    """
    gesplitst: list[tuple[int, str, str, str | None, str]] = []  # number, start, end, voice, text
    for nummer, begin, eind, ruw in cues:
        stukken = _splits_op_stemmen(ruw)
        for stem, stuk in stukken:
            gesplitst.append((nummer, begin, eind, stem, stuk))

    dubbelepunt_tellingen: dict[str, int] = {}
    haak_namen: set[str] = set()
    for _, _, _, stem, stuk in gesplitst:
        if stem:
            haak_namen.add(stem)
            continue
        haak = _haak_spreker(stuk)
        if haak:
            haak_namen.add(haak[0])
        label = _dubbelepunt_spreker(stuk)
        if label:
            dubbelepunt_tellingen[label[0]] = dubbelepunt_tellingen.get(label[0], 0) + 1

    segmenten: list[Segment] = []
    huidige: str | None = None
    for nummer, begin, eind, stem, stuk in gesplitst:
        spreker = stem
        if spreker is None:
            haak = _haak_spreker(stuk)
            label = _dubbelepunt_spreker(stuk)
            if haak:
                spreker, stuk = haak
            elif label and (dubbelepunt_tellingen[label[0]] >= 2 or label[0] in haak_namen):
                spreker, stuk = label
        if spreker:
            huidige = spreker
        tekst = " ".join(regel.strip() for regel in stuk.split("\n") if regel.strip())
        if not tekst:
            continue
        segmenten.append(
            Segment(
                tekst=tekst,
                spreker=huidige,
                begin=_normaliseer_tijd(begin),
                eind=_normaliseer_tijd(eind),
                positie=nummer,
                alinea=nummer,
            )
        )
    return segmenten


def _splits_op_stemmen(ruw: str) -> list[tuple[str | None, str]]:
    """Split a cue's raw text on `<v Naam>` voice spans; strip the other cue tags."""
    delen: list[tuple[str | None, str]] = []
    posities = list(_STEM_TAG.finditer(ruw))
    if not posities:
        return [(None, _schone_cue_tekst(ruw))]
    if posities[0].start() > 0 and _schone_cue_tekst(ruw[: posities[0].start()]).strip():
        delen.append((None, _schone_cue_tekst(ruw[: posities[0].start()])))
    for index, treffer in enumerate(posities):
        einde = posities[index + 1].start() if index + 1 < len(posities) else len(ruw)
        naam = treffer.group(1).strip()
        delen.append((naam or None, _schone_cue_tekst(ruw[treffer.end():einde])))
    return delen


def _schone_cue_tekst(tekst: str) -> str:
    return html.unescape(_CUE_TAG.sub("", tekst))


def _haak_spreker(tekst: str) -> tuple[str, str] | None:
    treffer = re.match(rf"^\s*\[(?P<naam>{SPREKER_PATROON})\]\s*(?::\s*)?(?P<rest>.*)$", tekst, re.DOTALL)
    if not treffer or is_notitie(treffer.group("naam")):
        return None
    return treffer.group("naam").strip(), treffer.group("rest")


def _dubbelepunt_spreker(tekst: str) -> tuple[str, str] | None:
    treffer = re.match(rf"^\s*(?P<naam>{SPREKER_PATROON})\s*:\s+(?P<rest>\S.*)$", tekst, re.DOTALL)
    if not treffer or is_notitie(treffer.group("naam")):
        return None
    return treffer.group("naam").strip(), treffer.group("rest")


def is_notitie(woorden: str) -> bool:
    return woorden.strip().lower() in NOTITIE_WOORDEN
