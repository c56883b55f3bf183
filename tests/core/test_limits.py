"""core/limits.py: every limit on incoming data, checked before parsing (issue 16 items 3, 4)."""

from __future__ import annotations

import pytest

from verhalenbank.core import limits
from verhalenbank.core.errors import Ongeldig
from verhalenbank.doelenbomen.exchange import parse_doelenboom

# The 396-byte anchor bomb of issue 16: each level doubles, the last is used as a mapping key.
YAML_BOM = "l0: &l0 [a, a]\n" + "".join(
    f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]\n"
    for i in range(1, 7)
) + "? *l6\n: x\n"


def _boom(subdoelen: int = 1, indicatoren: int = 0, beschrijving: str = "Kort.") -> str:
    regels = ["code: limiet-boom", "titel: Limieten", "hoofddoel: Grenzen testen", "subdoelen:"]
    for s in range(subdoelen):
        regels += [f"  - code: S{s}", f"    titel: Subdoel {s}", f"    beschrijving: {beschrijving}", "    indicatoren:"]
        regels += [f"      - {{code: S{s}.{i}, titel: Indicator {i}}}" for i in range(indicatoren)]
        if not indicatoren:
            regels[-1] = "    indicatoren: []"
    return "\n".join(regels) + "\n"


def test_a_yaml_alias_bomb_is_refused_before_it_expands():
    assert len(YAML_BOM.encode()) < 600
    with pytest.raises(Ongeldig, match="verwijzingen"):
        parse_doelenboom(YAML_BOM, "bom.yaml")


def test_any_yaml_alias_is_refused_with_its_line():
    tekst = _boom().replace("titel: Limieten", "titel: &t Limieten\nthema: *t")
    with pytest.raises(Ongeldig, match=r"bom.yaml, regel 3.*verwijzingen"):
        parse_doelenboom(tekst, "bom.yaml")


def test_a_normal_tree_is_within_every_limit():
    spec = parse_doelenboom(_boom(subdoelen=limits.MAX_SUBDOELEN, indicatoren=2), "groot.yaml")
    assert len(spec.subdoelen) == limits.MAX_SUBDOELEN


def test_too_many_subdoelen_are_refused():
    with pytest.raises(Ongeldig, match="te veel subdoelen"):
        parse_doelenboom(_boom(subdoelen=limits.MAX_SUBDOELEN + 1), "groot.yaml")


def test_a_5000_subdoel_tree_is_refused_while_it_is_read(monkeypatch):
    """Issue 16 item 4: a 5,000-subdoel tree re-tagged for minutes. It is refused at the 201st
    subdoel, while reading: with a node budget far below what reading the whole file takes,
    the subdoel limit still answers first, naming the line where the 201st subdoel starts."""
    monkeypatch.setattr(limits, "MAX_YAML_KNOPEN", 5_000)  # the whole file is ~30,000 nodes
    tekst = _boom(subdoelen=5_000, indicatoren=2)
    regel = tekst.splitlines().index(f"  - code: S{limits.MAX_SUBDOELEN}") + 1
    with pytest.raises(Ongeldig) as fout:
        parse_doelenboom(tekst, "vijfduizend.yaml")
    assert fout.value.bericht == (
        f"vijfduizend.yaml, regel {regel}, veld subdoelen: te veel subdoelen (maximaal {limits.MAX_SUBDOELEN})"
    )
    with pytest.raises(Ongeldig, match=r"regel \d+, veld indicatoren: te veel indicatoren \(maximaal 50\)"):
        parse_doelenboom(_boom(subdoelen=1, indicatoren=5_000), "veel-indicatoren.yaml")


def test_too_many_indicatoren_are_refused():
    with pytest.raises(Ongeldig, match="te veel indicatoren"):
        parse_doelenboom(_boom(subdoelen=1, indicatoren=limits.MAX_INDICATOREN_PER_SUBDOEL + 1), "groot.yaml")
    per_subdoel = limits.MAX_INDICATOREN_PER_SUBDOEL
    subdoelen = limits.MAX_INDICATOREN // per_subdoel + 1
    with pytest.raises(Ongeldig, match="te veel indicatoren"):
        parse_doelenboom(_boom(subdoelen=subdoelen, indicatoren=per_subdoel), "groot.yaml")


def test_a_long_description_is_refused_and_a_10_mb_one_before_parsing(monkeypatch):
    with pytest.raises(Ongeldig, match="'beschrijving' is te lang"):
        parse_doelenboom(_boom(beschrijving="x" * (limits.BOOM_VELDEN["subdoelen[].beschrijving"] + 1)), "lang.yaml")

    def no_parsing(*args, **kwargs):
        raise AssertionError("a file over the size limit must not be parsed")

    monkeypatch.setattr("verhalenbank.doelenbomen.exchange.yaml.compose", no_parsing)
    with pytest.raises(Ongeldig, match="te groot"):
        parse_doelenboom(_boom(beschrijving="x" * 10_000_000), "tien-mb.yaml")


def test_nul_in_a_tree_is_refused():
    with pytest.raises(Ongeldig, match="niet zijn toegestaan"):
        parse_doelenboom(_boom().replace("titel: Limieten", 'titel: "Lim\\0ieten"'), "nul.yaml")


@pytest.mark.parametrize(
    ("tekst", "bericht"),
    [
        ("[" * 100_000 + "]" * 100_000, "te diep genest"),
        ('{"a": ' * 50 + "1" + "}" * 50, "te diep genest"),
        ('{"id": ' + "9" * 5000 + "}", "getal is te groot"),
        ('{"tekst": "\\ud800"}', "niet zijn toegestaan"),
        ('{"tekst": "a\\u0000b"}', "niet zijn toegestaan"),
        ('{"tekst": NaN}', "geen geldige JSON-waarde"),
        ('{"tekst": "' + "x" * (limits.MAX_JSONL_REGEL_BYTES + 1) + '"}', "te groot"),
        ('{"tekst": ', "ongeldige JSON"),
    ],
    ids=["deep-array", "deep-object", "huge-int", "lone-surrogate", "nul", "nan", "too-big", "broken"],
)
def test_load_json_refuses_what_would_break_parsing_or_storing(tekst, bericht):
    with pytest.raises(Ongeldig, match=bericht):
        limits.load_json(tekst)


def test_json_depth_ignores_brackets_inside_strings():
    tekst = '{"tekst": "' + "[{" * 500 + '", "labels": [["a"]]}'
    assert limits.json_diepte(tekst) == 3
    assert limits.load_json(tekst)["labels"] == [["a"]]


def test_ids_within_range():
    assert limits.id_in_bereik(1) and limits.id_in_bereik(limits.MAX_ID)
    assert not limits.id_in_bereik(0)
    assert not limits.id_in_bereik(2**63)
