"""Load the Dutch spaCy pipeline once, lazily and thread-safely.

The pipeline comes from ``VERHALENBANK_SPACY_MODEL`` (an installed package name or a path to an
unpacked pipeline; default ``nl_core_news_sm``). Whatever it offers (lemmas, POS, entities) is
detected once, so the rest of the analysis can degrade instead of crash when something is missing.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from verhalenbank.config import DEFAULT_SPACY_MODEL

MODEL_VARIABLE = "VERHALENBANK_SPACY_MODEL"

# Components that only cost time for our purposes (we need tokens, POS, lemmas, entities and
# sentence boundaries; the dependency parse is used for sentences and noun chunks where present).
_DISABLE_IF_PRESENT = ("textcat", "textcat_multilabel", "entity_linker")


class SpacyModelUnavailable(RuntimeError):
    """The configured spaCy pipeline cannot be found or loaded."""


@dataclass(frozen=True)
class Capabilities:
    """What the loaded pipeline can do; analysis code checks these instead of guessing."""

    lemmas: bool
    pos: bool
    entities: bool
    sentences: bool
    noun_chunks: bool
    lemma_joins_compounds: bool  # UD-style "opleiding_ploeg" lemmas


@dataclass
class LoadedPipeline:
    nlp: object  # spacy.language.Language
    name: str
    capabilities: Capabilities
    # Lemmas of short texts (tree texts) by text: `analysis.lemmatise` fills it. Tagging a batch
    # lemmatises every tree again; with this, a tree's texts go through the pipeline once per
    # process (it was 8% of an import's CPU).
    lemma_cache: dict[str, list[str]] = field(default_factory=dict, repr=False)


_lock = threading.Lock()
_loaded: dict[str, LoadedPipeline] = {}


def configured_model_name() -> str:
    return os.environ.get(MODEL_VARIABLE) or DEFAULT_SPACY_MODEL


def _install_hint(name: str) -> str:
    return (
        f"The spaCy pipeline '{name}' could not be loaded. Set {MODEL_VARIABLE} to the name of an "
        f"installed spaCy pipeline or the path of an unpacked one. To install the official Dutch "
        f"model run 'python -m spacy download {DEFAULT_SPACY_MODEL}', or install its wheel from "
        f"spaCy's GitHub releases (github.com/explosion/spacy-models/releases)."
    )


def _detect_capabilities(nlp) -> Capabilities:
    names = set(nlp.pipe_names)
    lemmas = bool(names & {"lemmatizer", "trainable_lemmatizer"})
    pos = bool(names & {"morphologizer", "tagger"})
    entities = "ner" in names
    parser = "parser" in names
    sentences = parser or bool(names & {"senter", "sentencizer"})
    joins = False
    if lemmas:
        # The UD Dutch convention joins compound parts with "_"; probe it on one word.
        probe = nlp("De opleidingsploeg kwam.")
        joins = any("_" in token.lemma_ for token in probe)
    return Capabilities(
        lemmas=lemmas,
        pos=pos,
        entities=entities,
        sentences=sentences,
        noun_chunks=parser and pos,
        lemma_joins_compounds=joins,
    )


def _load(name: str) -> LoadedPipeline:
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a hard dependency
        raise SpacyModelUnavailable(_install_hint(name)) from exc
    try:
        nlp = spacy.load(name, exclude=[p for p in _DISABLE_IF_PRESENT])
    except Exception as exc:  # OSError for a missing model, others for a broken one
        raise SpacyModelUnavailable(f"{_install_hint(name)} ({type(exc).__name__}: {exc})") from exc
    if not nlp.has_pipe("parser") and not nlp.has_pipe("senter") and not nlp.has_pipe("sentencizer"):
        nlp.add_pipe("sentencizer")
    capabilities = _detect_capabilities(nlp)
    # Custom components are added last, after capability detection (they need the tokens).
    from verhalenbank.nlp import components

    components.add_custom_components(nlp)
    return LoadedPipeline(nlp=nlp, name=name, capabilities=capabilities)


def get_pipeline(name: str | None = None) -> LoadedPipeline:
    """The loaded pipeline for ``name`` (default: the configured one), loading it on first use."""
    name = name or configured_model_name()
    loaded = _loaded.get(name)
    if loaded is not None:
        return loaded
    with _lock:
        loaded = _loaded.get(name)
        if loaded is None:
            loaded = _load(name)
            _loaded[name] = loaded
    return loaded


def get_nlp(name: str | None = None):
    return get_pipeline(name).nlp


def check_model_available(name: str | None = None) -> None:
    """Raise SpacyModelUnavailable early (CLI commands call this before they start work)."""
    get_pipeline(name)


def forget_loaded_pipelines() -> None:
    """For tests that switch models."""
    with _lock:
        _loaded.clear()
