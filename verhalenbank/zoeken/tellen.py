"""Tellen én vertellen: the numbers per doelenboom, each one the total of a search.

Every count here comes from the search back end with exactly the filters of the search URL
it links to (doelenboom + subdoel/indicator confirmed or suggested + period + wijk/bron/
gevoel, status 'actief'), so a number on the counts page always equals the number of
stories the link shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from verhalenbank.zoeken.backend import ZoekBackend, Zoekopdracht, qualified_code
from verhalenbank.zoeken.parameters import NO_SUBDOEL

POSITIEF = ("4", "5")
NEGATIEF = ("1", "2")
MAX_PERIODES = 24


@dataclass
class Staaf:
    label: str
    waarde: int
    params: dict  # search URL parameters of the stories behind the number
    tweede_waarde: int | None = None  # e.g. suggested next to confirmed
    tweede_params: dict | None = None


@dataclass
class Gevoelsverdeling:
    label: str
    positief: int
    neutraal: int
    negatief: int
    params: dict
    totaal_beantwoord: int = 0

    @property
    def positief_aandeel(self) -> int:
        return round(100 * self.positief / self.totaal_beantwoord) if self.totaal_beantwoord else 0

    @property
    def negatief_aandeel(self) -> int:
        return round(100 * self.negatief / self.totaal_beantwoord) if self.totaal_beantwoord else 0


@dataclass
class Telling:
    boom_code: str
    totaal: int
    totaal_params: dict
    subdoelen: list[Staaf] = field(default_factory=list)
    indicatoren: list[Staaf] = field(default_factory=list)
    per_periode: list[Staaf] = field(default_factory=list)
    per_wijk: list[Staaf] = field(default_factory=list)
    per_bron: list[Staaf] = field(default_factory=list)
    gevoel: list[Gevoelsverdeling] = field(default_factory=list)
    alleen_bevestigd: bool = False  # every count only over stories with a confirmed tag in this tree
    met_bevestigd: int = 0  # stories with at least one confirmed tag in this tree
    met_bevestigd_params: dict = field(default_factory=dict)


def _periods(start: date, end: date, per: str) -> list[tuple[str, date, date]]:
    """(label, first day, last day) for each month or quarter from start to end, newest kept."""
    import calendar

    step = 3 if per == "kwartaal" else 1
    month = ((start.month - 1) // step) * step + 1
    year = start.year
    periods = []
    while date(year, month, 1) <= end:
        last_month = month + step - 1
        last_day = date(year, last_month, calendar.monthrange(year, last_month)[1])
        if per == "kwartaal":
            label = f"{year} K{(month - 1) // 3 + 1}"
        else:
            label = f"{year}-{month:02d}"
        periods.append((label, date(year, month, 1), last_day))
        month += step
        if month > 12:
            month, year = month - 12, year + 1
    return periods[-MAX_PERIODES:]


def tel_doelenboom(
    backend: ZoekBackend,
    boom,
    *,
    per: str = "maand",
    eerste_datum: date | None = None,
    laatste_datum: date | None = None,
    bron_labels: dict | None = None,
    alleen_bevestigd: bool = False,
) -> Telling:
    """All counts for one doelenboom (ORM object with subdoelen and indicatoren).

    `alleen_bevestigd`: count only stories with a tag in this tree that a person confirmed (the
    search URL then carries tags=bevestigd, which filters the same way); the subdoel and
    indicator bars then show confirmed tags only. Otherwise the bars show confirmed and
    suggested side by side and never add them up."""
    all_subdoelen = [qualified_code(boom.code, subdoel.code) for subdoel in boom.subdoelen] or [NO_SUBDOEL]
    confirmed_filter = {"subdoel_bevestigd": all_subdoelen}
    base_filters = {"doelenboom": [boom.code], "status": ["actief"]}
    base_params = {"boom": [boom.code]}
    if alleen_bevestigd:
        base_filters.update(confirmed_filter)
        base_params["tags"] = "bevestigd"

    overall = backend.search(
        Zoekopdracht(
            filters=base_filters,
            per_pagina=1,
            facetten=(
                "subdoel_bevestigd", "subdoel_voorgesteld", "indicator_bevestigd",
                "indicator_voorgesteld", "wijk", "bron", "gevoel",
            ),
        )
    )
    facets = overall.facetten
    telling = Telling(boom_code=boom.code, totaal=overall.totaal, totaal_params=base_params,
                      alleen_bevestigd=alleen_bevestigd)
    if alleen_bevestigd:
        telling.met_bevestigd = overall.totaal
    else:
        telling.met_bevestigd = backend.search(
            Zoekopdracht(filters={**base_filters, **confirmed_filter}, per_pagina=1, facetten=())
        ).totaal
    telling.met_bevestigd_params = {**base_params, "tags": "bevestigd"}

    def onderdeel_staaf(veld: str, onderdeel, code: str) -> Staaf:
        """The bar of one subdoel or indicator (`veld`): confirmed, and suggested beside it."""
        return Staaf(
            label=f"{onderdeel.code} {onderdeel.titel}",
            waarde=facets[f"{veld}_bevestigd"].get(code, 0),
            params={**base_params, veld: [code], "tags": "bevestigd"},
            tweede_waarde=None if alleen_bevestigd else facets[f"{veld}_voorgesteld"].get(code, 0),
            tweede_params=None if alleen_bevestigd else {**base_params, veld: [code], "tags": "voorgesteld"},
        )

    for subdoel in boom.subdoelen:
        code = qualified_code(boom.code, subdoel.code)
        telling.subdoelen.append(onderdeel_staaf("subdoel", subdoel, code))
        for indicator in subdoel.indicatoren:
            telling.indicatoren.append(
                onderdeel_staaf("indicator", indicator, qualified_code(boom.code, indicator.code))
            )

        # Per subdoel: with alleen_bevestigd only its confirmed stories, else confirmed or suggested.
        subdoel_filter = {"subdoel_bevestigd": [code]} if alleen_bevestigd else {"subdoel": [code]}
        answers = backend.search(
            Zoekopdracht(filters={**base_filters, **subdoel_filter}, per_pagina=1, facetten=("gevoel",))
        ).facetten["gevoel"]
        telling.gevoel.append(_verdeling(f"{subdoel.code} {subdoel.titel}", answers, {**base_params, "subdoel": [code]}))
    telling.gevoel.append(_verdeling("Alle verhalen in deze doelenboom", facets["gevoel"], base_params))

    for wijk, count in sorted(facets["wijk"].items(), key=lambda item: (-item[1], item[0])):
        telling.per_wijk.append(Staaf(label=wijk, waarde=count, params={**base_params, "wijk": [wijk]}))
    labels = bron_labels or {}
    for bron, count in sorted(facets["bron"].items(), key=lambda item: (-item[1], item[0])):
        telling.per_bron.append(Staaf(label=labels.get(bron, bron), waarde=count, params={**base_params, "bron": [bron]}))

    if eerste_datum and laatste_datum:
        for label, first, last in _periods(eerste_datum, laatste_datum, per):
            result = backend.search(
                Zoekopdracht(filters=base_filters, datum_van=first, datum_tot=last, per_pagina=1, facetten=())
            )
            telling.per_periode.append(
                Staaf(label=label, waarde=result.totaal,
                      params={**base_params, "van": first.isoformat(), "tot": last.isoformat()})
            )
    return telling


def _verdeling(label: str, answers: dict[str, int], params: dict) -> Gevoelsverdeling:
    positief = sum(answers.get(value, 0) for value in POSITIEF)
    negatief = sum(answers.get(value, 0) for value in NEGATIEF)
    neutraal = answers.get("3", 0)
    return Gevoelsverdeling(
        label=label, positief=positief, neutraal=neutraal, negatief=negatief,
        params=params, totaal_beantwoord=positief + negatief + neutraal,
    )


# --- SVG geometry (the template only draws what is computed here) ----------------------------

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 0  # labels sit above the bars, so long subdoel titles never get cut
CHART_WIDTH = 600


@dataclass
class BarRow:
    staaf: Staaf
    y: int
    width: float
    second_width: float


def bar_rows(staven: list[Staaf]) -> tuple[list[BarRow], int]:
    """Rows with y offset and bar widths scaled to the largest value; and the SVG height."""
    largest = max([max(s.waarde, s.tweede_waarde or 0) for s in staven] + [1])
    usable = CHART_WIDTH - 60  # room for the number after the bar
    rows = []
    y = 0
    for staaf in staven:
        rows.append(
            BarRow(
                staaf=staaf,
                y=y,
                width=round(usable * staaf.waarde / largest, 1),
                second_width=round(usable * (staaf.tweede_waarde or 0) / largest, 1),
            )
        )
        y += 18 + BAR_HEIGHT * (2 if staaf.tweede_waarde is not None else 1) + BAR_GAP
    return rows, max(y, BAR_HEIGHT)
