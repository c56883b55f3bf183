"""The whole search lives in the URL: GET parameters <-> Zoekopdracht, one way for web and CLI.

Parameters: q, boom, subdoel, indicator (qualified "<boom>:<code>"), tags (alle|bevestigd|
voorgesteld), ronde, wijk, bron, aanbieder, gevoel (1-5), van, tot (YYYY-MM-DD), sort
(relevantie|datum|datum_oud), pagina. Multi-valued parameters repeat (wijk=A&wijk=B).
Only stories with status 'actief' are searched.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, Mapping

from verhalenbank.core.errors import Ongeldig
from verhalenbank.zoeken.backend import SORTS, Zoekopdracht

PER_PAGINA = 20
TAG_STATUSES = ("alle", "bevestigd", "voorgesteld")
LIST_PARAMETERS = ("boom", "subdoel", "indicator", "ronde", "wijk", "bron", "aanbieder", "gevoel")
SCALAR_PARAMETERS = ("q", "tags", "van", "tot", "sort")


def subdoel_field(tags: str) -> str:
    return {"bevestigd": "subdoel_bevestigd", "voorgesteld": "subdoel_voorgesteld"}.get(tags, "subdoel")


def indicator_field(tags: str) -> str:
    return {"bevestigd": "indicator_bevestigd", "voorgesteld": "indicator_voorgesteld"}.get(tags, "indicator")


def page_facets(tags: str = "alle") -> tuple[str, ...]:
    """The facet counts the search page shows (one per filter group)."""
    return ("doelenboom", subdoel_field(tags), indicator_field(tags), "ronde", "wijk", "bron", "aanbieder", "gevoel")


def _get_list(params, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        values = params.getlist(name)
    else:
        value = params.get(name)
        values = value if isinstance(value, (list, tuple)) else ([value] if value else [])
    return [str(value).strip() for value in values if value is not None and str(value).strip()]


def _get_date(params, name: str, label: str) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Ongeldig(f"De {label} '{raw}' is geen datum. Gebruik de vorm 2026-04-30.", veld=name) from None


def search_state(params: Mapping) -> dict:
    """The normalised search parameters (for building URLs and forms)."""
    state: dict = {name: _get_list(params, name) for name in LIST_PARAMETERS}
    state["q"] = (params.get("q") or "").strip()
    tags = (params.get("tags") or "alle").strip()
    state["tags"] = tags if tags in TAG_STATUSES else "alle"
    state["van"] = (params.get("van") or "").strip()
    state["tot"] = (params.get("tot") or "").strip()
    sort = (params.get("sort") or "relevantie").strip()
    state["sort"] = sort if sort in SORTS else "relevantie"
    return state


# Matches no story: "alleen bevestigd" in a bank without any subdoel finds nothing.
NO_SUBDOEL = "-:-"


def opdracht_uit_parameters(
    params: Mapping, *, per_pagina: int = PER_PAGINA, facetten=None,
    subdoelen_van: Callable[[list[str]], list[str]] | None = None,
) -> Zoekopdracht:
    """`subdoelen_van(boom codes)` gives the qualified subdoel codes of those trees (all trees
    when none is chosen). With it, tags=bevestigd|voorgesteld also holds when no subdoel or
    indicator is chosen: only stories with a confirmed (or a suggested) tag in those trees."""
    state = search_state(params)
    try:
        pagina = max(1, int(params.get("pagina") or 1))
    except (TypeError, ValueError):
        pagina = 1
    filters = {
        "doelenboom": state["boom"],
        subdoel_field(state["tags"]): state["subdoel"],
        indicator_field(state["tags"]): state["indicator"],
        "ronde": state["ronde"],
        "wijk": state["wijk"],
        "bron": state["bron"],
        "aanbieder": state["aanbieder"],
        "gevoel": state["gevoel"],
        "status": ["actief"],
    }
    if state["tags"] != "alle" and not state["subdoel"] and not state["indicator"] and subdoelen_van is not None:
        filters[subdoel_field(state["tags"])] = list(subdoelen_van(state["boom"])) or [NO_SUBDOEL]
    opdracht = Zoekopdracht(
        tekst=state["q"],
        filters={name: values for name, values in filters.items() if values},
        datum_van=_get_date(params, "van", "begindatum"),
        datum_tot=_get_date(params, "tot", "einddatum"),
        sortering=state["sort"],
        pagina=pagina,
        per_pagina=per_pagina,
    )
    opdracht.facetten = tuple(facetten) if facetten is not None else page_facets(state["tags"])
    opdracht.validate()
    return opdracht


def url_parameters(state: dict, **changes) -> dict:
    """Parameters for url_for(): the current search with some values changed (None removes)."""
    merged = dict(state)
    merged.update(changes)
    return {name: value for name, value in merged.items() if value not in (None, "", [], ())}
