"""REFI-QDA (.qdpx) and CSV exports, validated against the official REFI-QDA Project schema."""

from __future__ import annotations

import csv
import io
import zipfile

import xmlschema
from lxml import etree

from tests.pakketten.voorbeelden import BOMEN, invoer_voor_ronde
from verhalenbank.pakketten.gegevens import PakketVerhaal, TagInfo
from verhalenbank.pakketten.qdpx import NS, SCHEMA_PAD, maak_csv, maak_qdpx, valideer_project_xml

Q = {"q": NS}


def _project(invoer):
    data = maak_qdpx(invoer.ronde_slug, invoer.ronde_titel, invoer.doelenbomen, invoer.verhalen)
    archief = zipfile.ZipFile(io.BytesIO(data))
    return archief, archief.read("project.qde")


def test_vendored_schema_is_the_refi_project_schema():
    schema = xmlschema.XMLSchema(str(SCHEMA_PAD))
    assert schema.target_namespace == "urn:QDA-XML:project:1.0"
    assert "Project" in schema.elements


def test_qdpx_of_every_example_ronde_validates_against_the_xsd():
    schema = xmlschema.XMLSchema(str(SCHEMA_PAD))
    for slug in BOMEN:
        _, xml = _project(invoer_voor_ronde(slug))
        schema.validate(xml.decode("utf-8"))  # raises on any violation
        assert valideer_project_xml(xml) == []


def test_qdpx_holds_sources_codebook_and_codings():
    invoer = invoer_voor_ronde("bollenstreek-2026")
    archief, xml = _project(invoer)
    root = etree.fromstring(xml)
    bronnen = root.findall("q:Sources/q:TextSource", Q)
    assert len(bronnen) == len(invoer.verhalen)
    # Codebook: the tree, subdoelen under it, indicatoren under those.
    boom = root.find("q:CodeBook/q:Codes/q:Code", Q)
    assert boom.get("isCodable") == "false"
    subcodes = boom.findall("q:Code", Q)
    assert [c.get("name").split()[0] for c in subcodes] == ["MB1", "MB2", "MB3", "MB4"]
    assert subcodes[0].findall("q:Code", Q), "indicatoren are child codes"
    # Every confirmed tag is a coding on a whole-text selection, and the text file is there.
    code_guid = {c.get("name").split()[0]: c.get("guid") for c in subcodes}
    for bron, verhaal in zip(bronnen, invoer.verhalen):
        pad = bron.get("plainTextPath").replace("internal://", "sources/")
        tekst = archief.read(pad).decode("utf-8")
        assert tekst == verhaal.tekst
        codes = {c.get("targetGUID") for c in bron.iterfind("q:PlainTextSelection/q:Coding/q:CodeRef", Q)}
        assert codes == {code_guid[t.subdoel] for t in verhaal.tags if t.bevestigd}
        for selectie in bron.findall("q:PlainTextSelection", Q):
            assert (selectie.get("startPosition"), selectie.get("endPosition")) == ("0", str(len(tekst)))


def test_suggestions_are_not_codings_and_hostile_text_stays_valid():
    verhaal = PakketVerhaal(
        id=1, titel='<script>alert(1)</script>', tekst="Tekst met \x0b stuurteken & <b>html</b> en ‘quotes’.",
        tags=(TagInfo("MB1", False, 0.9),), zelfduiding={"wie": "Familie; Buren"}, gevoel=2,
    )
    invoer = invoer_voor_ronde("bollenstreek-2026")
    data = maak_qdpx("r", "R & D", invoer.doelenbomen, [verhaal])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("project.qde")
    assert valideer_project_xml(xml) == []
    root = etree.fromstring(xml)
    assert root.find(".//q:Coding", Q) is None
    assert root.find(".//q:TextSource", Q).get("name") == "1 <script>alert(1)</script>"


def test_export_guids_are_stable():
    invoer = invoer_voor_ronde("hoorn-2026-najaar")
    guids = [sorted(etree.fromstring(_project(invoer)[1]).xpath("//@guid")) for _ in range(2)]
    assert guids[0] == guids[1]


def test_csv_has_tags_and_self_signification_and_defuses_formulas():
    invoer = invoer_voor_ronde("lelystad-2026-voorjaar")
    invoer.verhalen[0].zelfduiding = {"gevoel": "2", "wie": "Buren"}
    invoer.verhalen[1].titel = "=HYPERLINK(\"http://x\")"
    tekst = maak_csv(invoer.doelenbomen, invoer.verhalen)
    assert tekst.startswith("\ufeff")
    rijen = list(csv.DictReader(io.StringIO(tekst.lstrip("\ufeff"))))
    assert len(rijen) == len(invoer.verhalen)
    assert rijen[0]["zelfduiding_gevoel"] == "2" and rijen[0]["zelfduiding_wie"] == "Buren"
    assert rijen[0]["bevestigde_subdoelen"] == "; ".join(t.subdoel for t in invoer.verhalen[0].tags)
    assert rijen[1]["titel"].startswith("'=")
