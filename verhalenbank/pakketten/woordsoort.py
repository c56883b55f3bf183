"""Which words of a pack's stories are content words, and which short phrases they form.

The pack shows words and theme names to a room full of people. Verb forms ("woon", "begin")
and function words read as fragments there, so only nouns and adjectives as written in the
public text are shown, and theme names are noun phrases or short stretches of a story.
This runs the configured spaCy pipeline with only the components that tag words; when no
pipeline can be loaded it returns None and the pack falls back to frequency filters alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

INHOUD_POS = frozenset({"NOUN", "ADJ"})
# Components that are not needed to tag words (the parser is the slowest part of the pipeline).
_OVERSLAAN = ("parser", "ner", "senter", "lemmatizer", "trainable_lemmatizer", "attribute_ruler")
_LETTERS = re.compile(r"^[a-zà-öø-ÿ][a-zà-öø-ÿ'-]*$")


@dataclass
class Woordsoorten:
    # lower-case surface words tagged as something else than noun or adjective in most of
    # their occurrences (verbs, adverbs, pronouns ...): never shown as a word on their own
    geen_inhoud: frozenset[str]
    zinsdelen: list[list[str]] = field(default_factory=list)  # per text: ADJ* NOUN+ phrases as written


def bepaal(teksten: Sequence[str]) -> Woordsoorten | None:
    try:
        from verhalenbank.nlp.pipeline import get_nlp

        nlp = get_nlp()
    except Exception:  # noqa: BLE001 - no model: the caller uses frequency filters only
        return None
    if not any(n in nlp.pipe_names for n in ("morphologizer", "tagger")):
        return None
    uit = [n for n in nlp.pipe_names if n in _OVERSLAAN or n.startswith("verhalenbank")]
    inhoud: dict[str, int] = {}
    anders: dict[str, int] = {}
    zinsdelen: list[list[str]] = []
    for doc in nlp.pipe(list(teksten), disable=uit, batch_size=64):
        delen: list[str] = []
        stuk: list = []

        def sluit() -> None:
            if stuk and stuk[-1].pos_ == "NOUN" and len(stuk) >= 2:
                delen.append(" ".join(t.text for t in stuk))
            stuk.clear()

        for token in doc:
            woord = token.text.lower()
            if _LETTERS.match(woord):
                teller = inhoud if token.pos_ in INHOUD_POS else anders
                teller[woord] = teller.get(woord, 0) + 1
            if token.pos_ == "ADJ" and not any(t.pos_ == "NOUN" for t in stuk):
                stuk.append(token)
            elif token.pos_ == "NOUN" and len(stuk) < 4 and _LETTERS.match(woord):
                stuk.append(token)
            else:
                sluit()
        sluit()
        zinsdelen.append(delen)
    return Woordsoorten(frozenset(w for w, n in anders.items() if n > inhoud.get(w, 0)), zinsdelen)
