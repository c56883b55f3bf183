"""Reading the waarderen forms: the selection per subdoel and the panel list.

The preparation page is a list of checkboxes named `verhaal-<subdoel id>` (value: story id),
which Flask-WTF's field classes do not model well; these small parsers keep the views thin.
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.datastructures import MultiDict

from verhalenbank.core.errors import Ongeldig

VELD_PREFIX = "verhaal-"


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
