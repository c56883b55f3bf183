"""Which words of a pack's stories are content words, and which short phrases they form.

The pack shows words and theme names to a room full of people. Verb forms ("woon", "begin")
and function words read as fragments there, so only nouns and adjectives as written in the
public text are shown, and theme names are noun phrases or short stretches of a story.

The counts per story are made when the story is analysed and stored with it
(`nlp/woordsoorten.py`), so a pack does not load spaCy. Stories analysed before that was
stored are tagged here with the configured pipeline (only the components that tag words);
when no pipeline can be loaded and nothing is stored, this returns None and the pack falls
back to frequency filters alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from verhalenbank.nlp.woordsoorten import heeft_woordsoorten, tel

# Components that are not needed to tag words (the parser is the slowest part of the pipeline).
_OVERSLAAN = ("parser", "ner", "senter", "lemmatizer", "trainable_lemmatizer", "attribute_ruler")


@dataclass
class Woordsoorten:
    # lower-case surface words tagged as something else than noun or adjective in most of
    # their occurrences (verbs, adverbs, pronouns ...): never shown as a word on their own
    geen_inhoud: frozenset[str]
    zinsdelen: list[list[str]] = field(default_factory=list)  # per text: ADJ* NOUN+ phrases as written


def bepaal(teksten: Sequence[str], opgeslagen: Sequence[dict | None] | None = None) -> Woordsoorten | None:
    """Content words and phrases of these public texts; ``opgeslagen``: what analysis stored per
    text (None where nothing is stored: those texts are tagged now)."""
    per_tekst: list[dict | None] = list(opgeslagen) if opgeslagen is not None else [None] * len(teksten)
    ontbreekt = [i for i, gegevens in enumerate(per_tekst) if not gegevens]
    if ontbreekt:
        nu = _tel_met_pipeline([teksten[i] for i in ontbreekt])
        if nu is None and len(ontbreekt) == len(teksten):
            return None
        for i, gegevens in zip(ontbreekt, nu or []):
            per_tekst[i] = gegevens
    inhoud: dict[str, int] = {}
    anders: dict[str, int] = {}
    for gegevens in per_tekst:
        for woord, n in (gegevens or {}).get("inhoud", {}).items():
            inhoud[woord] = inhoud.get(woord, 0) + n
        for woord, n in (gegevens or {}).get("anders", {}).items():
            anders[woord] = anders.get(woord, 0) + n
    return Woordsoorten(
        frozenset(w for w, n in anders.items() if n > inhoud.get(w, 0)),
        [list((gegevens or {}).get("zinsdelen", [])) for gegevens in per_tekst],
    )


def _tel_met_pipeline(teksten: list[str]) -> list[dict] | None:
    try:
        from verhalenbank.nlp.pipeline import get_nlp

        nlp = get_nlp()
    except Exception:  # noqa: BLE001 - no model: the caller uses frequency filters only
        return None
    if not heeft_woordsoorten(nlp.pipe_names):
        return None
    uit = [n for n in nlp.pipe_names if n in _OVERSLAAN or n.startswith("verhalenbank")]
    return [tel(doc) for doc in nlp.pipe(teksten, disable=uit, batch_size=64)]
