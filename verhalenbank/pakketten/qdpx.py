"""Exports for qualitative-research tools: a REFI-QDA project (.qdpx) and a CSV.

The .qdpx is the REFI-QDA Project Exchange format (QDA-XML 1.0, schema vendored in
`schema/Project-mrt2019.xsd`) that QualCoder, NVivo, ATLAS.ti and MAXQDA import: a zip with
`project.qde` (XML) and the plain-text sources under `sources/`. Stories become text sources,
the doelenboom the codebook (a non-codable code per tree, codes for subdoelen, child codes for
indicatoren), confirmed tags codings on a selection spanning the whole text. Texts are always
the pseudonymised public texts the caller passes in.

GUIDs are derived from stable keys (uuid5), so exporting the same ronde twice gives the same
identifiers and a tool can recognise updated sources.
"""

from __future__ import annotations

import csv
import re
import io
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree

from verhalenbank.core.scores import score_in_woorden
from verhalenbank.pakketten.gegevens import DoelenboomInfo, PakketVerhaal

NS = "urn:QDA-XML:project:1.0"
SCHEMA_PAD = Path(__file__).with_name("schema") / "Project-mrt2019.xsd"
_GUID_NAMESPACE = uuid.UUID("8f0e6a62-3c55-4f4e-9a43-7d0b8c1f5e21")  # fixed: stable GUIDs

# Per tree a colour (REFI codes carry one); dark enough to read on white.
_KLEUREN = ("#1f5f8b", "#8b1f4a", "#2e7d32", "#6d4c41", "#5e35b1", "#00695c", "#ad1457")


# Characters XML 1.0 cannot carry at all (control characters other than tab/newline/CR).
_NIET_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_veilig(tekst: str | None) -> str:
    return _NIET_XML.sub("", tekst or "")


def _guid(*delen: object) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, "/".join(str(d) for d in delen)))


def _el(ouder, naam: str, **attrs) -> etree._Element:
    return etree.SubElement(
        ouder, f"{{{NS}}}{naam}", {k: xml_veilig(str(v)) for k, v in attrs.items() if v is not None}
    )


def _tijd(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def bouw_project_xml(
    ronde_slug: str,
    ronde_titel: str,
    doelenbomen: Sequence[DoelenboomInfo],
    verhalen: Sequence[PakketVerhaal],
    moment: datetime | None = None,
    memos: Mapping[str, Sequence[str]] | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The project.qde XML and the source files {zip path: text} it refers to.

    `memos`: per story key, notes attached to its source (e.g. a panel's reasons for choosing it).
    """
    memos = memos or {}
    notities: list[tuple[str, str, str]] = []  # (guid, name, text)
    moment = moment or datetime.now(timezone.utc)
    tijd = _tijd(moment)
    gebruiker = _guid("gebruiker", "verhalenbank")

    project = etree.Element(
        f"{{{NS}}}Project",
        nsmap={None: NS},
        name=f"Verhalenbank: {ronde_titel}",
        origin="Verhalenbank",
        creatingUserGUID=gebruiker,
        creationDateTime=tijd,
    )
    gebruikers = _el(project, "Users")
    _el(gebruikers, "User", guid=gebruiker, name="Verhalenbank (export)")

    code_van_subdoel: dict[str, str] = {}
    code_van_indicator: dict[str, str] = {}
    if any(boom.subdoelen for boom in doelenbomen):
        codes = _el(_el(project, "CodeBook"), "Codes")
        for i, boom in enumerate(doelenbomen):
            kleur = _KLEUREN[i % len(_KLEUREN)]
            boom_el = _el(codes, "Code", guid=_guid("boom", boom.code), name=boom.titel,
                          isCodable="false", color=kleur)
            if boom.hoofddoel:
                _el(boom_el, "Description").text = xml_veilig(f"Hoofddoel: {boom.hoofddoel}")
            for subdoel in boom.subdoelen:
                guid = _guid("subdoel", boom.code, subdoel.code)
                code_van_subdoel[subdoel.sleutel] = guid
                sub_el = _el(boom_el, "Code", guid=guid,
                             name=f"{subdoel.code} {subdoel.titel}", isCodable="true", color=kleur)
                if subdoel.beschrijving:
                    _el(sub_el, "Description").text = xml_veilig(subdoel.beschrijving.strip())
                for indicator in subdoel.indicatoren:
                    ind_guid = _guid("indicator", boom.code, indicator.code)
                    code_van_indicator[indicator.sleutel] = ind_guid
                    _el(sub_el, "Code", guid=ind_guid, name=f"{indicator.code} {indicator.titel}",
                        isCodable="true", color=kleur)

    vragen = sorted({vraag for v in verhalen for vraag in v.zelfduiding})
    variabelen = {
        "bron": (_guid("variabele", "bron"), "Bron", "Text"),
        "wijk": (_guid("variabele", "wijk"), "Wijk", "Text"),
        "datum": (_guid("variabele", "datum"), "Datum", "Date"),
        "aanbieder": (_guid("variabele", "aanbieder"), "Aanbieder", "Text"),
        "citeren": (_guid("variabele", "citeren"), "Mag geciteerd worden", "Boolean"),
    }
    for vraag in vragen:
        variabelen[f"zd:{vraag}"] = (_guid("variabele", "zelfduiding", vraag), f"Zelfduiding: {vraag}", "Text")
    vars_el = _el(project, "Variables")
    for guid, naam, soort in variabelen.values():
        _el(vars_el, "Variable", guid=guid, name=naam, typeOfVariable=soort)

    bestanden: dict[str, str] = {}
    if verhalen:
        bronnen_el = _el(project, "Sources")
        for verhaal in verhalen:
            guid = _guid("verhaal", ronde_slug, verhaal.sleutel)
            tekst = xml_veilig(verhaal.tekst)
            bestanden[f"sources/{guid}.txt"] = tekst
            bron_el = _el(bronnen_el, "TextSource", guid=guid, name=f"{verhaal.sleutel} {verhaal.titel}"[:250],
                          plainTextPath=f"internal://{guid}.txt", creatingUser=gebruiker, creationDateTime=tijd)
            codes_hier = []
            for tag in verhaal.tags:
                if not tag.bevestigd or tag.subdoel not in code_van_subdoel:
                    continue
                codes_hier.append((tag.subdoel, code_van_subdoel[tag.subdoel]))
                if tag.indicator and tag.indicator in code_van_indicator:
                    codes_hier.append((f"i{tag.indicator}", code_van_indicator[tag.indicator]))
            if codes_hier:
                # The REFI positions count characters of the plain text: the whole story.
                selectie = _el(bron_el, "PlainTextSelection", guid=_guid("selectie", ronde_slug, verhaal.sleutel),
                               name=verhaal.titel[:250], startPosition=0, endPosition=len(tekst),
                               creatingUser=gebruiker, creationDateTime=tijd)
                for sleutel, code_guid in codes_hier:
                    codering = _el(selectie, "Coding", guid=_guid("codering", ronde_slug, verhaal.sleutel, sleutel),
                                   creatingUser=gebruiker, creationDateTime=tijd)
                    _el(codering, "CodeRef", targetGUID=code_guid)
            for n, memo in enumerate(memos.get(verhaal.sleutel, ())):
                memo_guid = _guid("memo", ronde_slug, verhaal.sleutel, n)
                notities.append((memo_guid, f"Memo bij {verhaal.titel}"[:250], memo))
                _el(bron_el, "NoteRef", targetGUID=memo_guid)
            waarden = {
                "bron": verhaal.bron,
                "wijk": verhaal.wijk,
                "datum": verhaal.datum.isoformat() if verhaal.datum else None,
                "aanbieder": verhaal.aanbieder,
                "citeren": "true" if verhaal.citeren else "false",
            }
            waarden.update({f"zd:{vraag}": antwoord for vraag, antwoord in verhaal.zelfduiding.items()})
            for sleutel, waarde in waarden.items():
                if waarde in (None, ""):
                    continue
                guid_var, _, soort = variabelen[sleutel]
                vv = _el(bron_el, "VariableValue")
                _el(vv, "VariableRef", targetGUID=guid_var)
                element = {"Text": "TextValue", "Date": "DateValue", "Boolean": "BooleanValue"}[soort]
                _el(vv, element).text = xml_veilig(str(waarde))

    if notities:
        notes_el = _el(project, "Notes")
        for guid, naam, tekst in notities:
            note = _el(notes_el, "Note", guid=guid, name=naam, creatingUser=gebruiker, creationDateTime=tijd)
            _el(note, "PlainTextContent").text = xml_veilig(tekst)
    _el(project, "Description").text = xml_veilig(
        f"Verhalen uit de ronde '{ronde_titel}' ({ronde_slug}), gepseudonimiseerd. "
        "Codes: de doelenboom; coderingen: door een mens bevestigde tags."
    )
    xml = etree.tostring(project, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml, bestanden


def maak_qdpx(
    ronde_slug: str,
    ronde_titel: str,
    doelenbomen: Sequence[DoelenboomInfo],
    verhalen: Sequence[PakketVerhaal],
    moment: datetime | None = None,
    memos: Mapping[str, Sequence[str]] | None = None,
) -> bytes:
    """The .qdpx archive as bytes."""
    xml, bestanden = bouw_project_xml(ronde_slug, ronde_titel, doelenbomen, verhalen, moment, memos)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archief:
        archief.writestr("project.qde", xml)
        for pad, tekst in bestanden.items():
            archief.writestr(pad, tekst.encode("utf-8"))
    return buffer.getvalue()


def valideer_project_xml(xml: bytes) -> list[str]:
    """Schema errors of a project.qde against the vendored REFI-QDA XSD (empty: valid)."""
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_PAD)))
    document = etree.fromstring(xml)
    if schema.validate(document):
        return []
    return [f"regel {fout.line}: {fout.message}" for fout in schema.error_log]


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------

_FORMULE_START = ("=", "+", "-", "@", "\t", "\r")


def _veilig(waarde: object) -> str:
    """Cell text that a spreadsheet will not run as a formula (CSV injection)."""
    tekst = "" if waarde is None else str(waarde)
    return "'" + tekst if tekst.startswith(_FORMULE_START) else tekst


def maak_csv(
    doelenbomen: Sequence[DoelenboomInfo], verhalen: Sequence[PakketVerhaal],
    memos: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Stories with their tags and self-signification answers; UTF-8 text with a BOM for Excel.

    With `memos` (per story key), a last column holds them, one per line.
    """
    memos = memos or {}
    code = {s.sleutel: s.code for b in doelenbomen for s in b.subdoelen}
    vragen = sorted({vraag for v in verhalen for vraag in v.zelfduiding})
    uit = io.StringIO()
    schrijver = csv.writer(uit, lineterminator="\r\n")
    schrijver.writerow(
        ["id", "titel", "bron", "wijk", "datum", "aanbieder", "mag_citeren", "tekst",
         "bevestigde_subdoelen", "voorgestelde_subdoelen"]
        + [f"zelfduiding_{vraag}" for vraag in vragen]
        + (["memos"] if memos else [])
    )
    for v in verhalen:
        bevestigd = sorted(code.get(t.subdoel, t.subdoel) for t in v.tags if t.bevestigd)
        voorgesteld = sorted(
            f"{code.get(t.subdoel, t.subdoel)} ({score_in_woorden(t.score)}, {t.score:.2f})"
            for t in v.tags if not t.bevestigd
        )
        schrijver.writerow(
            [_veilig(x) for x in (
                v.sleutel, v.titel, v.bron, v.wijk, v.datum.isoformat() if v.datum else "", v.aanbieder,
                "ja" if v.citeren else "nee", v.tekst, "; ".join(bevestigd), "; ".join(voorgesteld),
            )]
            + [_veilig(v.zelfduiding.get(vraag, "")) for vraag in vragen]
            + ([_veilig("\n".join(memos.get(v.sleutel, ())))] if memos else [])
        )
    return "\ufeff" + uit.getvalue()
