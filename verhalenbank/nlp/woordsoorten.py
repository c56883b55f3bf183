"""Which words of a story's public text are content words, and which short phrases it holds.

A feedback pack shows words and theme names to a room full of people. Verb forms ("woon",
"begin") and function words read as fragments there, so it shows only nouns and adjectives as
written in the public text, and names themes with noun phrases (ADJ* NOUN+) from the stories.
That needs part-of-speech tags. They are counted here while a story is analysed (the worker has
the pipeline loaded anyway) and stored with the story, so building a pack never loads spaCy.

The analysed doc is of the original text; only words and phrases that stand in the public
(pseudonymised) text are kept, so nothing a pack shows can come from a name that was replaced.

Pure: tokens in, plain dict out (JSON: {"inhoud": {word: n}, "anders": {word: n},
"zinsdelen": [phrase, ...]}).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

INHOUD_POS = frozenset({"NOUN", "ADJ"})
TAGGERS = ("morphologizer", "tagger")  # a pipeline without one has no part-of-speech tags
_LETTERS = re.compile(r"^[a-zà-öø-ÿ][a-zà-öø-ÿ'-]*$")
_WOORD = re.compile(r"[\w'-]+")
MAX_WOORDEN = 2000  # per story and kind; a story is at most a few thousand words


def heeft_woordsoorten(pipe_names: Iterable[str]) -> bool:
    return any(name in TAGGERS for name in pipe_names)


def tel(tokens: Iterable, publiek: str | None = None) -> dict:
    """Counts of lower-case words tagged noun/adjective ("inhoud") or anything else ("anders"),
    and the ADJ* NOUN+ phrases as written; with ``publiek`` only what stands in that text."""
    toegestaan = {w.lower() for w in _WOORD.findall(publiek)} if publiek is not None else None
    inhoud: dict[str, int] = {}
    anders: dict[str, int] = {}
    zinsdelen: list[str] = []
    stuk: list = []

    def sluit() -> None:
        if stuk and stuk[-1].pos_ == "NOUN" and len(stuk) >= 2:
            zinsdeel = " ".join(t.text for t in stuk)
            if publiek is None or zinsdeel in publiek:
                zinsdelen.append(zinsdeel)
        stuk.clear()

    for token in tokens:
        woord = token.text.lower()
        if _LETTERS.match(woord) and (toegestaan is None or woord in toegestaan):
            teller = inhoud if token.pos_ in INHOUD_POS else anders
            if woord in teller or len(teller) < MAX_WOORDEN:
                teller[woord] = teller.get(woord, 0) + 1
        if token.pos_ == "ADJ" and not any(t.pos_ == "NOUN" for t in stuk):
            stuk.append(token)
        elif token.pos_ == "NOUN" and len(stuk) < 4 and _LETTERS.match(woord):
            stuk.append(token)
        else:
            sluit()
    sluit()
    return {"inhoud": inhoud, "anders": anders, "zinsdelen": zinsdelen}
