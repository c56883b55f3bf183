"""Forms for importing and editing a tree in the browser.

The editor posts rows (sub-N-…, sub-N-ind-M-…) so it works without JavaScript: blank rows add,
a number orders, a checkbox removes.
"""

from __future__ import annotations

import re

from verhalenbank.core.forms import Formulier
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict

from verhalenbank.doelenbomen.exchange import DoelenboomSpec, IndicatorSpec, SubdoelSpec


class ImportForm(Formulier):
    bestand = FileField("YAML-bestand van de doelenboom", validators=[FileRequired("Kies een bestand.")])


class BevestigForm(Formulier):
    """Carries the CSRF token for the editor (its rows are read from request.form)."""


def _volgorde(waarde: str, standaard: int) -> float:
    try:
        return float(waarde)
    except (TypeError, ValueError):
        return float(standaard)


def spec_from_editor(form: MultiDict, code: str) -> DoelenboomSpec:
    get = lambda key: (form.get(key) or "").strip()  # noqa: E731
    spec = DoelenboomSpec(
        code=code, titel=get("titel"), hoofddoel=get("hoofddoel"),
        gemeente=get("gemeente") or None, thema=get("thema") or None, bron=get("bron") or None,
    )
    sub_indices = sorted({int(m.group(1)) for k in form if (m := re.match(r"sub-(\d+)-code$", k))})
    rows = []
    for i in sub_indices:
        prefix = f"sub-{i}-"
        if form.get(prefix + "weg") or not (get(prefix + "code") or get(prefix + "titel")):
            continue
        ind_indices = sorted({int(m.group(1)) for k in form if (m := re.match(rf"sub-{i}-ind-(\d+)-code$", k))})
        indicatoren = []
        for j in ind_indices:
            ip = f"{prefix}ind-{j}-"
            if form.get(ip + "weg") or not (get(ip + "code") or get(ip + "titel")):
                continue
            indicatoren.append((
                _volgorde(get(ip + "volgorde"), j),
                IndicatorSpec(code=get(ip + "code"), titel=get(ip + "titel"), soort=get(ip + "soort") or None),
            ))
        indicatoren.sort(key=lambda pair: pair[0])
        rows.append((
            _volgorde(get(prefix + "volgorde"), i),
            SubdoelSpec(
                code=get(prefix + "code"), titel=get(prefix + "titel"),
                beschrijving=get(prefix + "beschrijving") or None,
                indicatoren=[ind for _, ind in indicatoren],
            ),
        ))
    rows.sort(key=lambda pair: pair[0])
    spec.subdoelen = [sub for _, sub in rows]
    return spec
