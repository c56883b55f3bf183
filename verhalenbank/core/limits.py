"""Limits on everything that comes in, in one place, checked before parsing (issue 16).

Sizes and counts here are data: the README lists them for people writing files for the
exchange formats. Text lengths follow the database columns (the same declared length on SQLite
and PostgreSQL; SQLite would store a longer value unchecked, PostgreSQL would refuse the whole
transaction), so input is refused with a clear message before it reaches the database.

Every check raises `Ongeldig` with a Dutch message; nothing here touches the database.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from verhalenbank.core.errors import Ongeldig

# --- ids -------------------------------------------------------------------------------------
MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases; a larger one cannot exist

# --- whole inputs, checked before they are parsed ----------------------------------------------
MAX_YAML_BYTES = 1024 * 1024  # one doelenboom file or API body
MAX_JSONL_REGEL_BYTES = 1024 * 1024  # one line of a `verhalen import` file
MAX_JSON_DIEPTE = 20  # nesting of objects/arrays in one JSON value
MAX_JSON_GETAL_CIJFERS = 18  # integers in JSON: well within a 64-bit column
MAX_YAML_KNOPEN = 50_000  # YAML complexity budget: nodes in one document

# --- a doelenboom ----------------------------------------------------------------------------
MAX_SUBDOELEN = 200
MAX_INDICATOREN_PER_SUBDOEL = 50
MAX_INDICATOREN = 2_000
# field → maximum characters (String(n) columns use n; Text columns get a sane ceiling so a
# 10 MB description cannot reach spaCy, whose limit is 1,000,000 characters)
BOOM_VELDEN: dict[str, int] = {
    "code": 100, "titel": 300, "gemeente": 200, "thema": 200, "hoofddoel": 5_000, "bron": 5_000,
    "subdoelen[].code": 50, "subdoelen[].titel": 1_000, "subdoelen[].beschrijving": 10_000,
    "subdoelen[].indicatoren[].code": 50, "subdoelen[].indicatoren[].titel": 1_000,
    "subdoelen[].indicatoren[].soort": 20,
}

# --- a story (form, API, import) ---------------------------------------------------------------
MAX_TEKST_LENGTE = 20_000
MAX_TITEL_LENGTE = 300  # verhalen.titel String(300)
VERHAAL_VELDEN: dict[str, int] = {
    "tekst": MAX_TEKST_LENGTE, "titel": MAX_TITEL_LENGTE,
    "id": 200,  # verhalen.extern_id String(200)
    "wijk": 200,  # verhalen.wijk String(200)
    "ronde": 100,  # rondes.slug String(100)
    "labels[]": 50,  # subdoelen.code String(50)
}
MAX_LABELS = 100


def _tekens(aantal: int) -> str:
    return f"{aantal} teken" if aantal == 1 else f"{aantal} tekens"


def check_lengte(waarde: str | None, maximum: int, veld: str) -> None:
    if waarde is not None and len(waarde) > maximum:
        raise Ongeldig(f"'{veld}' is te lang ({_tekens(len(waarde))}; maximaal {maximum})", veld=veld)


def is_opslaanbaar(tekst: str) -> bool:
    """False for NUL characters and lone surrogates, which no database can store."""
    if "\x00" in tekst:
        return False
    try:
        tekst.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_tekens(waarde: str | None, veld: str) -> None:
    if waarde is not None and not is_opslaanbaar(waarde):
        raise Ongeldig(f"'{veld}' bevat tekens die niet zijn toegestaan (zoals een nul-teken)", veld=veld)


def check_tekstveld(waarde: str | None, maximum: int, veld: str) -> None:
    check_tekens(waarde, veld)
    check_lengte(waarde, maximum, veld)


def id_in_bereik(waarde: int) -> bool:
    return 1 <= waarde <= MAX_ID


def id_param(ruw: str | None) -> int | None:
    """An id from a query or form parameter: None unless it is digits within range."""
    if ruw is None or not ruw.isdigit() or len(ruw) > 10:
        return None
    waarde = int(ruw)
    return waarde if id_in_bereik(waarde) else None


MAX_PAGINA = 100_000


def pagina(ruw: str | None) -> int:
    """A `?pagina=` parameter: 1 for anything missing, malformed or out of range."""
    if ruw is None or not ruw.isdigit() or len(ruw) > 6:
        return 1
    return min(max(int(ruw), 1), MAX_PAGINA)


# --- JSON --------------------------------------------------------------------------------------

_HAAKJES = re.compile(r'[\[\]{}"\\]')


def json_diepte(tekst: str) -> int:
    """The deepest nesting of arrays/objects in a JSON text, without parsing it."""
    if tekst.count("[") + tekst.count("{") <= MAX_JSON_DIEPTE:
        return 0  # cannot be too deep: the fast path for nearly every line
    diepte = hoogste = 0
    in_tekst = escape = False
    for teken in _HAAKJES.findall(tekst):
        if in_tekst:
            if escape:
                escape = False
            elif teken == "\\":
                escape = True
            elif teken == '"':
                in_tekst = False
        elif teken == '"':
            in_tekst = True
        elif teken in "[{":
            diepte += 1
            hoogste = max(hoogste, diepte)
        elif teken in "]}":
            diepte -= 1
    return hoogste


def _begrensd_getal(tekst: str) -> int:
    if len(tekst.lstrip("-")) > MAX_JSON_GETAL_CIJFERS:
        raise Ongeldig(f"een getal is te groot (meer dan {MAX_JSON_GETAL_CIJFERS} cijfers)")
    return int(tekst)


def _geen_constante(naam: str):
    raise Ongeldig(f"'{naam}' is geen geldige JSON-waarde")


def _check_strings(waarde: Any, pad: str = "") -> None:
    if isinstance(waarde, str):
        check_tekens(waarde, pad or "waarde")
    elif isinstance(waarde, dict):
        for sleutel, inhoud in waarde.items():
            check_tekens(sleutel, "veldnaam")
            _check_strings(inhoud, sleutel)
    elif isinstance(waarde, list):
        for inhoud in waarde:
            _check_strings(inhoud, pad)


def load_json(tekst: str, *, max_bytes: int = MAX_JSONL_REGEL_BYTES) -> Any:
    """json.loads within the limits: size and depth checked first; huge integers, NaN and
    characters no database stores (NUL, lone surrogates) refused. Raises Ongeldig."""
    if len(tekst) > max_bytes or len(tekst.encode("utf-8", "surrogatepass")) > max_bytes:
        raise Ongeldig(f"te groot (meer dan {max_bytes // 1024} kB)")
    if json_diepte(tekst) > MAX_JSON_DIEPTE:
        raise Ongeldig(f"te diep genest (meer dan {MAX_JSON_DIEPTE} niveaus)")
    try:
        data = json.loads(tekst, parse_int=_begrensd_getal, parse_constant=_geen_constante)
    except json.JSONDecodeError as exc:
        raise Ongeldig(f"ongeldige JSON ({exc.msg}, kolom {exc.colno})") from None
    except RecursionError:  # only if the depth scan above were wrong; never a traceback
        raise Ongeldig(f"te diep genest (meer dan {MAX_JSON_DIEPTE} niveaus)") from None
    _check_strings(data)
    return data


# --- YAML --------------------------------------------------------------------------------------


# Lists under these keys are counted while they are read, so a file with 5,000 subdoelen is
# refused at the 201st (0.1 s) instead of after reading all of it (3.5 s).
YAML_LIJSTEN = {"subdoelen": MAX_SUBDOELEN, "indicatoren": MAX_INDICATOREN_PER_SUBDOEL}


class TeLangeYamlLijst(yaml.composer.ComposerError):
    """A `subdoelen`/`indicatoren` list longer than its limit, found while composing."""

    def __init__(self, sleutel: str, maximum: int, mark):
        super().__init__(None, None, f"te veel {sleutel} (maximaal {maximum})", mark)
        self.sleutel = sleutel


class VeiligeYamlLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (`*naam`): no billion-laughs or key-alias bombs, a budget
    on the number of nodes in one document, and the limits of YAML_LIJSTEN while composing."""

    def __init__(self, stream):
        super().__init__(stream)
        self._knopen = 0
        self._sleutels: list[str | None] = []  # the mapping key of each node being composed

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "verwijzingen (*naam) zijn niet toegestaan; schrijf de waarde uit", event.start_mark
            )
        self._knopen += 1
        if self._knopen > MAX_YAML_KNOPEN:
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"te veel onderdelen (meer dan {MAX_YAML_KNOPEN})", event.start_mark
            )
        if isinstance(parent, yaml.SequenceNode) and self._sleutels:
            sleutel = self._sleutels[-1]  # the key this list is the value of
            maximum = YAML_LIJSTEN.get(sleutel) if isinstance(sleutel, str) else None
            if maximum is not None and index >= maximum:
                raise TeLangeYamlLijst(sleutel, maximum, self.peek_event().start_mark)
        self._sleutels.append(index.value if isinstance(index, yaml.ScalarNode) else None)
        try:
            return super().compose_node(parent, index)
        finally:
            self._sleutels.pop()


def check_yaml_grootte(grootte: int, wat: str) -> None:
    if grootte > MAX_YAML_BYTES:
        raise Ongeldig(f"{wat}: het bestand is te groot (maximaal {MAX_YAML_BYTES // 1024} kB)")
