"""Loading the pipeline: clear error, capability detection, degraded pipelines."""

from __future__ import annotations

import pytest
import spacy

from verhalenbank.nlp import components
from verhalenbank.nlp.pipeline import (
    MODEL_VARIABLE,
    SpacyModelUnavailable,
    get_pipeline,
)


def test_missing_model_gives_one_clear_message():
    with pytest.raises(SpacyModelUnavailable) as info:
        get_pipeline("/nonexistent/nl_model_that_is_not_there")
    message = str(info.value)
    assert MODEL_VARIABLE in message
    assert "python -m spacy download nl_core_news_sm" in message


def test_configured_pipeline_is_loaded_once_with_capabilities():
    first = get_pipeline()
    assert first is get_pipeline()
    caps = first.capabilities
    assert caps.lemmas and caps.pos and caps.entities and caps.sentences
    assert components.PSEUDONYMISER in first.nlp.pipe_names
    assert components.KEYWORDS in first.nlp.pipe_names


def test_pipeline_without_lemmas_pos_or_entities_still_works(tmp_path):
    """A bare Dutch tokenizer: lowercase tokens instead of lemmas, rules instead of NER."""
    blank = spacy.blank("nl")
    path = tmp_path / "kaal_nl"
    blank.to_disk(path)
    loaded = get_pipeline(str(path))
    assert not loaded.capabilities.lemmas and not loaded.capabilities.entities
    from verhalenbank.nlp.analysis import analyse_texts

    analysis = analyse_texts([("Mevrouw Jansen belde 06-12345678. De buurtkamer is fijn.", "Titel")], str(path))[0]
    assert "Jansen" not in analysis.tekst_publiek and "12345678" not in analysis.tekst_publiek
    assert "buurtkamer" in analysis.lemmas
    assert analysis.trefwoorden
    # Without a vocabulary, sentence-initial words that are also first names stay ("Elke", "Na").
    plain = "Elke week help ik in de tuin. Na de koffie ga ik weer naar huis."
    assert analyse_texts([(plain, None)], str(path))[0].tekst_publiek == plain
