"""What more confirmations would bring: the learning-curve summary of the quality page.

Two sources, and the page says which one it shows:

* measured: a trained model may carry ``gegevens["leercurve"]``, a list of
  ``{"per_subdoel": n, "macro_f1": f, "kappa": k}`` (quality after n confirmations per subdoel,
  simulated from the tree's own confirmed stories). When present it is shown as a table, and
  the step to the next milestone is read from it.
* not measured: then only the counts are shown (confirmations per subdoel and how many are
  still needed for the next milestone), and the page says plainly that the effect is not known.

Nothing here computes or changes a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIJLPALEN = (5, 10, 20)  # confirmations per subdoel after which the learning curve is measured


@dataclass
class SubdoelStand:
    code: str
    titel: str
    bevestigd: int
    volgende_mijlpaal: int | None  # None: the last milestone is reached
    nog_nodig: int


@dataclass
class LeercurvePunt:
    per_subdoel: int
    macro_f1: float
    kappa: float | None


@dataclass
class Leercurve:
    subdoelen: list[SubdoelStand]
    bevestigd_totaal: int
    laagste: int  # the fewest confirmations of any subdoel: what the tree as a whole has reached
    volgende_mijlpaal: int | None
    nog_nodig_totaal: int  # confirmations still needed so every subdoel reaches that milestone
    gemeten: list[LeercurvePunt] = field(default_factory=list)
    nu: LeercurvePunt | None = None  # the measured point at the milestone the tree has reached
    straks: LeercurvePunt | None = None  # the measured point at the next milestone

    @property
    def laatste_mijlpaal(self) -> int:
        return MIJLPALEN[-1]

    @property
    def verwachte_winst(self) -> float | None:
        if self.nu is None or self.straks is None:
            return None
        return round(self.straks.macro_f1 - self.nu.macro_f1, 2)


def _next_milestone(count: int) -> int | None:
    return next((m for m in MIJLPALEN if count < m), None)


def _measured(gegevens: dict | None) -> list[LeercurvePunt]:
    points = []
    for row in (gegevens or {}).get("leercurve") or []:
        try:
            points.append(LeercurvePunt(int(row["per_subdoel"]), float(row["macro_f1"]),
                                        None if row.get("kappa") is None else float(row["kappa"])))
        except (KeyError, TypeError, ValueError):
            continue  # a malformed row is left out, never guessed
    return sorted(points, key=lambda p: p.per_subdoel)


def leercurve(subdoelen, bevestigd: dict[int, int], gegevens: dict | None = None) -> Leercurve:
    """`subdoelen`: the tree's Subdoel objects; `bevestigd`: subdoel id -> confirmed stories."""
    standen = []
    for subdoel in subdoelen:
        count = int(bevestigd.get(subdoel.id, 0))
        milestone = _next_milestone(count)
        standen.append(SubdoelStand(subdoel.code, subdoel.titel, count, milestone,
                                    0 if milestone is None else milestone - count))
    laagste = min((s.bevestigd for s in standen), default=0)
    milestone = _next_milestone(laagste) if standen else None
    nog_nodig = sum(max(0, milestone - s.bevestigd) for s in standen) if milestone else 0
    curve = Leercurve(
        subdoelen=standen, bevestigd_totaal=sum(s.bevestigd for s in standen), laagste=laagste,
        volgende_mijlpaal=milestone, nog_nodig_totaal=nog_nodig, gemeten=_measured(gegevens),
    )
    if curve.gemeten:
        reached = [p for p in curve.gemeten if p.per_subdoel <= laagste]
        curve.nu = reached[-1] if reached else None
        if milestone is not None:
            curve.straks = next((p for p in curve.gemeten if p.per_subdoel == milestone), None)
    return curve
