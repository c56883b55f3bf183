"""Names of every origin (issue 12, item 6): rules added on top of the names-dataset list."""

from __future__ import annotations

import pytest

from verhalenbank.nlp.analysis import analyse_texts
from verhalenbank.nlp.components import PSEUDONYMISER
from verhalenbank.nlp.names import name_lists
from verhalenbank.nlp.pipeline import get_pipeline


def _public(text: str) -> str:
    return analyse_texts([(text, None)])[0].tekst_publiek


@pytest.fixture(scope="module")
def rare_first_names() -> list[str]:
    """Lower-case first names beyond the rank that counts on its own, unknown to the pipeline."""
    lists = name_lists()
    common = get_pipeline().nlp.get_pipe(PSEUDONYMISER).common_words
    rare = sorted(n for n in lists.first_lower_all - lists.first_lower if n.isalpha() and n not in common)
    assert len(rare) > 1000
    return rare[:: max(1, len(rare) // 5)][:5]


def test_the_list_keeps_every_rank_for_pairs_but_no_ordinary_words():
    lists = name_lists()
    assert len(lists.first_lower_all - lists.first_lower) > 1000  # beyond the rank for one word alone
    assert not lists.first_lower_all & lists.words
    assert not lists.last_lower_all & lists.words
    for word in ("roos", "hoop", "visser", "bakker", "storm"):
        assert word not in lists.first_lower_all
        assert word not in lists.last_lower_all


def test_lowercase_rare_first_name_with_a_listed_surname_is_replaced(rare_first_names):
    for first in rare_first_names:
        public = _public(f"gisteren kwam {first} janga nog langs voor koffie.")
        assert first not in public, public
        assert "janga" not in public, public
        assert "[naam 1]" in public


def test_a_rare_first_name_alone_in_lower_case_is_left_alone(rare_first_names):
    """One lower-case word is too little to go on; only the pair counts."""
    first = rare_first_names[0]
    text = f"ik zei {first} en ging naar huis."
    assert _public(text) == text


@pytest.mark.parametrize("name", ["Kahir", "Shermayra", "Trokhym"])
def test_an_unknown_capitalised_word_after_met_is_a_person(name):
    public = _public(f"Samen met {name} ga ik elke week naar de markt.")
    assert name not in public
    assert public == "Samen met [naam 1] ga ik elke week naar de markt."


@pytest.mark.parametrize(
    "text",
    [
        "Samen met de buren maakten we de straat schoon.",
        "Met Pasen eten we samen in het buurthuis.",
        "Ik ging met de trein naar Zwolle.",
        "We fietsten met Oma naar de markt.",
    ],
)
def test_met_does_not_make_ordinary_words_or_places_names(text):
    assert _public(text) == text
