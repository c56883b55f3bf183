"""The doelenboom exchange format (INTERFACES §2): strict YAML reading with line numbers, and writing.

Parsing goes through PyYAML's node graph rather than `safe_load`, so every error can name the
line of the offending key; nothing touches the database here.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import yaml

from verhalenbank.core import limits
from verhalenbank.core.errors import Ongeldig
from verhalenbank.doelenbomen.models import SOORTEN, Doelenboom

CODE_PATROON = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
BOOM_VELDEN = ("code", "titel", "gemeente", "thema", "hoofddoel", "bron", "subdoelen")
SUBDOEL_VELDEN = ("code", "titel", "beschrijving", "indicatoren")
INDICATOR_VELDEN = ("code", "titel", "soort")


@dataclass
class IndicatorSpec:
    code: str
    titel: str
    soort: str | None = None


@dataclass
class SubdoelSpec:
    code: str
    titel: str
    beschrijving: str | None = None
    indicatoren: list[IndicatorSpec] = field(default_factory=list)


@dataclass
class DoelenboomSpec:
    code: str
    titel: str
    hoofddoel: str
    gemeente: str | None = None
    thema: str | None = None
    bron: str | None = None
    subdoelen: list[SubdoelSpec] = field(default_factory=list)


class _Fouten:
    def __init__(self, bestand: str):
        self.bestand = bestand
        self.regels: list[str] = []

    def add(self, node: yaml.Node | None, veld: str, bericht: str) -> None:
        waar = f"{self.bestand}, regel {node.start_mark.line + 1}" if node is not None else self.bestand
        self.regels.append(f"{waar}, veld {veld}: {bericht}")

    def raise_if_any(self) -> None:
        if self.regels:
            eerste = self.regels[0]
            extra = f" (en nog {len(self.regels) - 1} fout(en))" if len(self.regels) > 1 else ""
            raise Ongeldig(f"{eerste}{extra}", details=self.regels)


def _mapping(node: yaml.Node, fouten: _Fouten, veld: str, toegestaan: tuple[str, ...], context: str):
    """Return {key: (key_node, value_node)} for a mapping node, reporting unknown keys."""
    if not isinstance(node, yaml.MappingNode):
        fouten.add(node, veld, "hier hoort een lijst van velden (naam: waarde)")
        return None
    result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
        if key not in toegestaan:
            hint = difflib.get_close_matches(key, toegestaan, n=1)
            bedoeld = f"; bedoelt u '{hint[0]}'?" if hint else ""
            fouten.add(key_node, f"{veld}{key}", f"onbekend veld '{key}' in {context}{bedoeld}")
            continue
        if key in result:
            fouten.add(key_node, f"{veld}{key}", f"het veld '{key}' staat er twee keer in {context}")
            continue
        result[key] = (key_node, value_node)
    return result


def _tekst(velden, naam: str, fouten: _Fouten, veld: str, ouder: yaml.Node, *, verplicht: bool) -> str | None:
    if naam not in velden:
        if verplicht:
            fouten.add(ouder, veld, f"het verplichte veld '{naam}' ontbreekt")
        return None
    key_node, value_node = velden[naam]
    if not isinstance(value_node, yaml.ScalarNode):
        fouten.add(key_node, veld, f"'{naam}' moet een tekst zijn")
        return None
    waarde = (value_node.value or "").strip()
    if value_node.tag == "tag:yaml.org,2002:null" or waarde in ("", "~", "null"):
        if verplicht:
            fouten.add(key_node, veld, f"'{naam}' is leeg")
        return None
    maximum = limits.BOOM_VELDEN.get(veld)
    if maximum is not None and len(waarde) > maximum:
        fouten.add(key_node, veld, f"'{naam}' is te lang ({len(waarde)} tekens; maximaal {maximum})")
        return None
    if not limits.is_opslaanbaar(waarde):
        fouten.add(key_node, veld, f"'{naam}' bevat tekens die niet zijn toegestaan (zoals een nul-teken)")
        return None
    return waarde


def parse_doelenboom(tekst: str, bestand: str = "doelenboom.yaml") -> DoelenboomSpec:
    """Parse and validate one tree; raises Ongeldig naming file, line and field."""
    fouten = _Fouten(bestand)
    limits.check_yaml_grootte(len(tekst.encode("utf-8", "surrogatepass")), bestand)
    try:
        root = yaml.compose(tekst, Loader=limits.VeiligeYamlLoader)
    except limits.TeLangeYamlLijst as exc:
        raise Ongeldig(f"{bestand}, regel {exc.problem_mark.line + 1}, veld {exc.sleutel}: {exc.problem}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        regel = f", regel {mark.line + 1}, kolom {mark.column + 1}" if mark else ""
        raise Ongeldig(f"{bestand}{regel}: geen geldige YAML ({exc.problem or exc.context})") from None
    except yaml.YAMLError as exc:
        raise Ongeldig(f"{bestand}: geen geldige YAML ({exc})") from None
    if root is None:
        raise Ongeldig(f"{bestand}: het bestand is leeg")
    velden = _mapping(root, fouten, "", BOOM_VELDEN, "de doelenboom")
    if velden is None:
        fouten.raise_if_any()
    code = _tekst(velden, "code", fouten, "code", root, verplicht=True)
    if code is not None and not CODE_PATROON.match(code):
        fouten.add(velden["code"][1], "code", f"'{code}' mag alleen kleine letters, cijfers en '-' bevatten")
    spec = DoelenboomSpec(
        code=code or "",
        titel=_tekst(velden, "titel", fouten, "titel", root, verplicht=True) or "",
        hoofddoel=_tekst(velden, "hoofddoel", fouten, "hoofddoel", root, verplicht=True) or "",
        gemeente=_tekst(velden, "gemeente", fouten, "gemeente", root, verplicht=False),
        thema=_tekst(velden, "thema", fouten, "thema", root, verplicht=False),
        bron=_tekst(velden, "bron", fouten, "bron", root, verplicht=False),
    )
    gezien: dict[str, str] = {}

    def registreer_code(waarde: str, node: yaml.Node, veld: str) -> None:
        if waarde in gezien:
            fouten.add(node, veld, f"dubbele code '{waarde}' (staat ook op {gezien[waarde]})")
        else:
            gezien[waarde] = f"regel {node.start_mark.line + 1}"

    if "subdoelen" not in velden:
        fouten.add(root, "subdoelen", "het verplichte veld 'subdoelen' ontbreekt")
    else:
        key_node, lijst = velden["subdoelen"]
        if not isinstance(lijst, yaml.SequenceNode) or not lijst.value:
            fouten.add(key_node, "subdoelen", "geef minstens één subdoel op, als lijst")
        elif len(lijst.value) > limits.MAX_SUBDOELEN:
            fouten.add(key_node, "subdoelen", f"te veel subdoelen ({len(lijst.value)}; maximaal {limits.MAX_SUBDOELEN})")
        else:
            for sub_node in lijst.value:
                spec_sub = _parse_subdoel(sub_node, fouten, registreer_code)
                if spec_sub is not None:
                    spec.subdoelen.append(spec_sub)
            totaal = sum(len(sub.indicatoren) for sub in spec.subdoelen)
            if totaal > limits.MAX_INDICATOREN:
                fouten.add(key_node, "subdoelen[].indicatoren", f"te veel indicatoren ({totaal}; maximaal {limits.MAX_INDICATOREN})")
    fouten.raise_if_any()
    return spec


def _peek_code(node: yaml.Node) -> str | None:
    """The code of a mapping node, so messages about its other fields can name it."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == "code" and isinstance(value_node, yaml.ScalarNode):
                return value_node.value.strip() or None
    return None


def _parse_subdoel(node, fouten: _Fouten, registreer_code) -> SubdoelSpec | None:
    peek = _peek_code(node)
    naam = f"subdoel {peek}" if peek else "een subdoel"
    sub = _mapping(node, fouten, "subdoelen[].", SUBDOEL_VELDEN, naam)
    if sub is None:
        return None
    code = _tekst(sub, "code", fouten, "subdoelen[].code", node, verplicht=True)
    if code:
        registreer_code(code, sub["code"][1], "subdoelen[].code")
    spec = SubdoelSpec(
        code=code or "",
        titel=_tekst(sub, "titel", fouten, "subdoelen[].titel", node, verplicht=True) or "",
        beschrijving=_tekst(sub, "beschrijving", fouten, "subdoelen[].beschrijving", node, verplicht=False),
    )
    if "indicatoren" in sub:
        key_node, lijst = sub["indicatoren"]
        if isinstance(lijst, yaml.ScalarNode) and lijst.tag == "tag:yaml.org,2002:null":
            return spec
        if not isinstance(lijst, yaml.SequenceNode):
            fouten.add(key_node, "subdoelen[].indicatoren", f"de indicatoren van {naam} moeten een lijst zijn")
            return spec
        if len(lijst.value) > limits.MAX_INDICATOREN_PER_SUBDOEL:
            fouten.add(key_node, "subdoelen[].indicatoren",
                       f"{naam} heeft te veel indicatoren ({len(lijst.value)}; maximaal {limits.MAX_INDICATOREN_PER_SUBDOEL})")
            return spec
        for ind_node in lijst.value:
            ind = _mapping(ind_node, fouten, "subdoelen[].indicatoren[].", INDICATOR_VELDEN, f"een indicator van {naam}")
            if ind is None:
                continue
            ind_code = _tekst(ind, "code", fouten, "subdoelen[].indicatoren[].code", ind_node, verplicht=True)
            if ind_code:
                registreer_code(ind_code, ind["code"][1], "subdoelen[].indicatoren[].code")
            soort = _tekst(ind, "soort", fouten, "subdoelen[].indicatoren[].soort", ind_node, verplicht=False)
            if soort is not None and soort not in SOORTEN:
                fouten.add(ind["soort"][1], "subdoelen[].indicatoren[].soort", f"'{soort}' moet 'beleving' of 'feit' zijn")
            spec.indicatoren.append(
                IndicatorSpec(
                    code=ind_code or "",
                    titel=_tekst(ind, "titel", fouten, "subdoelen[].indicatoren[].titel", ind_node, verplicht=True) or "",
                    soort=soort,
                )
            )
    return spec


def spec_from_model(boom: Doelenboom) -> DoelenboomSpec:
    return DoelenboomSpec(
        code=boom.code, titel=boom.titel, hoofddoel=boom.hoofddoel, gemeente=boom.gemeente,
        thema=boom.thema, bron=boom.bron,
        subdoelen=[
            SubdoelSpec(
                code=s.code, titel=s.titel, beschrijving=s.beschrijving,
                indicatoren=[IndicatorSpec(code=i.code, titel=i.titel, soort=i.soort) for i in s.indicatoren],
            )
            for s in boom.subdoelen
        ],
    )


def dump_doelenboom(spec: DoelenboomSpec) -> str:
    data: dict = {"code": spec.code, "titel": spec.titel}
    for key in ("gemeente", "thema"):
        if getattr(spec, key):
            data[key] = getattr(spec, key)
    data["hoofddoel"] = spec.hoofddoel
    if spec.bron:
        data["bron"] = spec.bron
    data["subdoelen"] = []
    for sub in spec.subdoelen:
        item: dict = {"code": sub.code, "titel": sub.titel}
        if sub.beschrijving:
            item["beschrijving"] = sub.beschrijving
        item["indicatoren"] = [
            {k: v for k, v in (("code", i.code), ("titel", i.titel), ("soort", i.soort)) if v}
            for i in sub.indicatoren
        ]
        data["subdoelen"].append(item)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def validate_spec(spec: DoelenboomSpec) -> None:
    """The exchange format's rules for a tree built in the browser (no file, no lines)."""
    fouten: list[str] = []
    if not CODE_PATROON.match(spec.code or ""):
        fouten.append("De code mag alleen kleine letters, cijfers en '-' bevatten.")
    if not spec.titel.strip():
        fouten.append("Geef de doelenboom een titel.")
    if not spec.hoofddoel.strip():
        fouten.append("Vul het hoofddoel in.")
    if not spec.subdoelen:
        fouten.append("Een doelenboom heeft minstens één subdoel.")
    if len(spec.subdoelen) > limits.MAX_SUBDOELEN:
        fouten.append(f"Een doelenboom heeft hoogstens {limits.MAX_SUBDOELEN} subdoelen.")
    if sum(len(sub.indicatoren) for sub in spec.subdoelen) > limits.MAX_INDICATOREN:
        fouten.append(f"Een doelenboom heeft hoogstens {limits.MAX_INDICATOREN} indicatoren.")
    velden = [(veld, getattr(spec, veld)) for veld in ("code", "titel", "gemeente", "thema", "hoofddoel", "bron")]
    for sub in spec.subdoelen:
        velden += [("subdoelen[].code", sub.code), ("subdoelen[].titel", sub.titel), ("subdoelen[].beschrijving", sub.beschrijving)]
        velden += [(f"subdoelen[].indicatoren[].{k}", getattr(i, k)) for i in sub.indicatoren for k in ("code", "titel")]
    for veld, waarde in velden:
        if waarde and len(waarde) > limits.BOOM_VELDEN[veld]:
            fouten.append(f"'{veld}' is te lang ({len(waarde)} tekens; maximaal {limits.BOOM_VELDEN[veld]}).")
        elif waarde and not limits.is_opslaanbaar(waarde):
            fouten.append(f"'{veld}' bevat tekens die niet zijn toegestaan.")
    gezien: set[str] = set()
    for sub in spec.subdoelen:
        for code, titel, wat in [(sub.code, sub.titel, "subdoel")] + [
            (i.code, i.titel, "indicator") for i in sub.indicatoren
        ]:
            if not code:
                fouten.append(f"Een {wat} zonder code ('{titel[:40]}').")
            elif code in gezien:
                fouten.append(f"De code '{code}' komt twee keer voor.")
            gezien.add(code)
            if not titel.strip():
                fouten.append(f"De {wat} '{code}' heeft geen titel.")
        for ind in sub.indicatoren:
            if ind.soort and ind.soort not in SOORTEN:
                fouten.append(f"Soort van indicator '{ind.code}' moet 'beleving' of 'feit' zijn.")
    if fouten:
        raise Ongeldig(fouten[0], details=fouten)
