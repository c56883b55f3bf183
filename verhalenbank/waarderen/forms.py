"""Reading the waarderen forms: the selection per subdoel or domain, the domains, the panel list.

The preparation page is a list of checkboxes named `verhaal-<part>` (value: story id; the part
is a subdoel id, a domain id, or a new domain's row number), and for a session per domain of
change rows `domein-naam-<n>` with checkboxes `domein-doel-<n>` (subdoel ids). Flask-WTF's field
classes do not model these well; these small parsers keep the views thin.
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.datastructures import MultiDict

from verhalenbank.core.errors import Ongeldig
from verhalenbank.waarderen.operations import MAX_DOMEINEN, DomeinInvoer

VELD_PREFIX = "verhaal-"
DOMEIN_NAAM = "domein-naam-"
DOMEIN_DOEL = "domein-doel-"


def selectie_uit_formulier(form: MultiDict | Mapping) -> dict[int, list[int]]:
    selectie: dict[int, list[int]] = {}
    for naam in form:
        if not naam.startswith(VELD_PREFIX):
            continue
        subdoel = naam[len(VELD_PREFIX):]
        waarden = form.getlist(naam) if hasattr(form, "getlist") else [form[naam]]
        if not subdoel.isdigit() or not all(str(w).isdigit() for w in waarden):
            raise Ongeldig("De keuze van verhalen is niet goed doorgekomen. Probeer het opnieuw.", veld="selectie")
        if waarden:
            selectie[int(subdoel)] = [int(w) for w in waarden]
    return selectie


def domeinen_uit_formulier(form: MultiDict) -> list[tuple[int, DomeinInvoer]]:
    """The named domain rows, in row order, with their row number (rows without a name are
    left out; the operation checks the names and subdoelen)."""
    rijen = []
    for n in range(MAX_DOMEINEN + 2):
        naam = (form.get(f"{DOMEIN_NAAM}{n}") or "").strip()
        if not naam:
            continue
        doelen = form.getlist(f"{DOMEIN_DOEL}{n}")
        if not all(str(d).isdigit() for d in doelen):
            raise Ongeldig("De keuze van doelen is niet goed doorgekomen. Probeer het opnieuw.", veld="domeinen")
        rijen.append((n, DomeinInvoer(naam, [int(d) for d in doelen])))
    return rijen


def panel_uit_tekst(tekst: str | None) -> list[str]:
    """One name or role per line (or comma separated)."""
    delen = []
    for regel in (tekst or "").replace(",", "\n").splitlines():
        if regel.strip():
            delen.append(regel.strip())
    return delen


def getal(waarde: str | None, veld: str) -> int:
    if not waarde or not str(waarde).isdigit():
        raise Ongeldig("Kies een verhaal.", veld=veld)
    return int(waarde)
