"""Typo tolerance in the query analysis: the edit distance and the candidate list."""

from tests.zoeken.zoekcorpus import make_corpus
from verhalenbank.zoeken import analyse, postgres_backend, whoosh_backend
from verhalenbank.zoeken.analyse import allowed_typos, edit_distance_within, typo_candidates


def test_a_swap_of_two_neighbouring_letters_is_one_edit():
    assert edit_distance_within("koffei", "koffie", 1)
    assert not edit_distance_within("koffei", "kaffie", 1)


def test_insertions_deletions_and_substitutions_count_up_to_the_limit():
    assert edit_distance_within("mantelzrog", "mantelzorg", 1)
    assert edit_distance_within("mantlzrog", "mantelzorg", 2)
    assert not edit_distance_within("mantlzrog", "mantelzorg", 1)
    assert not edit_distance_within("buurt", "buurtkamer", 2)


def test_longer_words_allow_more_typos_and_short_ones_none():
    assert [allowed_typos(word) for word in ("wit", "witen", "buurtkamer")] == [0, 1, 2]


def test_candidates_share_the_first_letter_and_stay_within_the_limit():
    vocabulary = ["weten", "wetten", "water", "beten", "witte", "witten", "weet", "wit"]
    assert typo_candidates("witen", vocabulary) == ["weten", "witten"]


def test_a_word_is_not_its_own_candidate_and_short_words_get_none():
    assert typo_candidates("weten", ["weten", "wetten"]) == ["wetten"]
    assert typo_candidates("wit", ["wat", "wis"]) == []


def test_candidates_are_found_in_a_large_vocabulary():
    vocabulary = [f"w{index:05d}x" for index in range(50_000)] + ["wandelclub"]
    assert typo_candidates("wandelculb", vocabulary) == ["wandelclub"]


def test_no_story_text_stays_remembered_after_its_index_fields_are_made():
    """`words` remembers recent texts while a story's fields are made (a speed-up); after that
    the text is dropped, for both back ends, so an erased story cannot linger in memory."""
    story = make_corpus()[0]
    for make_fields in (whoosh_backend._document_fields, postgres_backend._row):
        analyse.words(story.tekst_publiek)
        assert analyse.words.cache_info().currsize >= 1
        fields = make_fields(story)
        assert fields["vormen"]  # the fields were made from the text
        assert analyse.words.cache_info().currsize == 0
