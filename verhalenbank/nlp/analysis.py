"""Analyse story texts with the pipeline: public text, public title, lemmas, keywords.

Pure: no database. `operations.analyse_verhalen` stores the results; benchmarks call this directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from verhalenbank.nlp.components import PSEUDONYMISER, make_docs
from verhalenbank.nlp.dutch import clean_lemma
from verhalenbank.nlp.names import name_lists
from verhalenbank.nlp.normalise import normalise
from verhalenbank.nlp.pseudonymise import FOREIGN_LETTERS
from verhalenbank.nlp.pipeline import get_pipeline
from verhalenbank.nlp.woordsoorten import heeft_woordsoorten, tel

BATCH_SIZE = 64


@dataclass
class Analysis:
    tekst_publiek: str
    titel_publiek: str | None
    lemmas: list[str]
    trefwoorden: list[str]
    woordsoorten: dict | None = None  # nlp/woordsoorten.py; None when the pipeline tags no words


def analyse_texts(items: Sequence[tuple[str, str | None]], model: str | None = None) -> list[Analysis]:
    """(tekst, titel) pairs → analyses, in the same order, using nlp.pipe in batches."""
    loaded = get_pipeline(model)
    nlp = loaded.nlp
    pseudonymiser = nlp.get_pipe(PSEUDONYMISER)
    texts = [tekst or "" for tekst, _ in items]
    # Stream: keep only what we need from each doc, so memory stays flat on large batches.
    partial: list[tuple[str, list[str], list[str], object]] = []
    soorten: list[dict | None] = []
    tags_words = heeft_woordsoorten(nlp.pipe_names)
    for doc in nlp.pipe(make_docs(nlp, texts), batch_size=BATCH_SIZE):
        registry = doc._.pii.registry if doc._.pii else None
        partial.append((doc._.tekst_publiek, list(doc._.lemmas or []), list(doc._.trefwoorden or []), registry))
        soorten.append(tel(doc, doc._.tekst_publiek) if tags_words else None)
    title_positions = [
        i for i, (_, titel) in enumerate(items)
        if titel and _title_may_identify(titel, partial[i][3])
    ]
    title_docs = nlp.pipe(
        make_docs(nlp, [items[i][1] for i in title_positions]), batch_size=BATCH_SIZE, disable=_title_disable(nlp)
    )
    titles: dict[int, str] = {}
    for position, title_doc in zip(title_positions, title_docs):
        titles[position] = pseudonymiser(title_doc, partial[position][3])._.tekst_publiek
    return [
        Analysis(tekst_publiek=public, titel_publiek=titles.get(i, items[i][1] or None), lemmas=lemmas,
                 trefwoorden=keywords, woordsoorten=soorten[i])
        for i, (public, lemmas, keywords, _) in enumerate(partial)
    ]


_WORD_RE = re.compile(r"[\w@+'-]+")


def _title_may_identify(title: str, registry) -> bool:
    """Cheap check whether a title could contain anything the pseudonymiser replaces: a digit,
    an '@' or a written-out one ("at", "[at]"), hidden characters, a known first or last name
    (also in lower case), a person named in the story, or a capitalised word after the first one.
    Titles without any of these are public as they are."""
    if any(ch.isdigit() for ch in title) or "@" in title or not normalise(title).unchanged:
        return True
    words = _WORD_RE.findall(title)
    lists = name_lists()
    for position, word in enumerate(words):
        lower = word.lower()
        if word in lists.first or word in lists.last or lower in ("at", "apenstaartje"):
            return True
        if (lower in lists.first_lower or lower in lists.last_lower) and lower not in lists.words:
            return True
        if registry is not None and registry.knows(word):
            return True
        if position > 0 and word[:1].isupper():
            return True
        if word[:1].isupper() and FOREIGN_LETTERS.intersection(word):
            return True
    return False


def _title_disable(nlp) -> list[str]:
    """For titles only entities matter (pseudonymisation); skip the rest when the entity
    recogniser does not listen to the shared tok2vec."""
    disable = [name for name in nlp.pipe_names if name.startswith("verhalenbank_")]
    if "ner" in nlp.pipe_names and not _listens_to_shared_tok2vec(nlp, "ner"):
        disable += [n for n in ("tok2vec", "morphologizer", "tagger", "parser", "lemmatizer",
                                "trainable_lemmatizer", "attribute_ruler") if n in nlp.pipe_names]
    return disable


def _listens_to_shared_tok2vec(nlp, name: str) -> bool:
    try:
        from spacy.pipeline.tok2vec import Tok2VecListener

        return any(isinstance(node, Tok2VecListener) for node in nlp.get_pipe(name).model.walk())
    except Exception:
        return True


LEMMA_CACHE_SIZE = 20_000  # texts; tree texts are a few dozen per tree


def lemmatise(texts: Iterable[str], model: str | None = None) -> list[list[str]]:
    """Plain lemma lists (for tree texts): no pseudonymisation or keywords needed. Remembered
    per text in the loaded pipeline: the same tree texts come back for every batch tagged."""
    loaded = get_pipeline(model)
    nlp, cache = loaded.nlp, loaded.lemma_cache
    texts = list(texts)
    # Looked up once, into a dict of this call: another thread may empty the cache meanwhile.
    found = {text: cache.get(text) for text in dict.fromkeys(texts)}
    new = [text for text, lemmas in found.items() if lemmas is None]
    if new:
        disable = [name for name in nlp.pipe_names if name.startswith("verhalenbank_") or name == "ner"]
        for text, doc in zip(new, nlp.pipe(new, batch_size=BATCH_SIZE, disable=disable)):
            found[text] = [clean_lemma(t.lemma_, t.text) for t in doc if any(ch.isalpha() for ch in t.text)]
        if len(cache) + len(new) > LEMMA_CACHE_SIZE:
            cache.clear()
        cache.update((text, found[text]) for text in new)
    # Copies: callers may change their lists.
    return [list(found[text]) for text in texts]
