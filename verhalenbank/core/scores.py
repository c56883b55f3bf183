"""A tagger score in words: the one mapping every page, pack and API answer uses.

A score is the tagger's estimate that a careful person would give the story this subdoel
(0 to 1). Two digits after the comma suggest a precision the estimate does not have, so users
see a word instead. The bands are wide on purpose; the API keeps the number next to the word.
How scores are computed is not decided here (the tagger in ``verhalenbank/nlp``); this module
knows no domain, so every page, pack and API answer can use it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScoreBand:
    ondergrens: float  # lowest score in this band
    woord: str
    uitleg: str  # plain Dutch (B1), for a legend


# Highest first; a score falls in the first band whose lower bound it reaches.
SCORE_BANDEN: tuple[ScoreBand, ...] = (
    ScoreBand(0.85, "zeer waarschijnlijk", "de computer is er bijna zeker van"),
    ScoreBand(0.65, "waarschijnlijk", "meestal klopt zo'n voorstel"),
    ScoreBand(0.40, "mogelijk", "het kan kloppen, maar vaak ook niet"),
    ScoreBand(0.0, "twijfelachtig", "de computer twijfelt sterk"),
)
BEVESTIGD = "bevestigd"
ONBEKEND = "onbekend"
SCORE_WOORDEN = [band.woord for band in SCORE_BANDEN] + [BEVESTIGD, ONBEKEND]  # every possible answer


def score_in_woorden(score: float | None, bevestigd: bool = False) -> str:
    """'bevestigd' for a tag a person confirmed; else the word of the score's band."""
    if bevestigd:
        return BEVESTIGD
    if score is None:
        return ONBEKEND
    value = float(score)
    if value != value:  # NaN
        return ONBEKEND
    for band in SCORE_BANDEN:
        if value >= band.ondergrens:
            return band.woord
    return SCORE_BANDEN[-1].woord


def tag_in_woorden(tag) -> str:
    """For templates: the word for a Tag (or anything with .score and .bevestigd)."""
    return score_in_woorden(getattr(tag, "score", None), bool(getattr(tag, "bevestigd", False)))


def legenda() -> list[dict]:
    """The bands for a legend beside suggestions: word and what it means."""
    return [{"woord": band.woord, "uitleg": band.uitleg} for band in SCORE_BANDEN]
