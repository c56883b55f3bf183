"""Search correctness found with fresh queries (issue 17, item 4): prefixes on the words as
written, typo tolerance for short stems, phrases that don't skip stop words; the same answer
on Whoosh and PostgreSQL."""

from __future__ import annotations

import pytest

from verhalenbank.zoeken.backend import ZoekDocument, Zoekopdracht

TEKSTEN = {
    1: "Vandaag ging ik met de buurvrouw naar de markt.",
    2: "Het was een mooie dag vandaag, iedereen was buiten.",
    3: "Mijn kleinzoon gaat naar school in de wijk.",
    4: "De schoonmaakster van het buurthuis houdt alles schoon.",
    5: "Wij weten niet waar we heen moeten met onze vragen.",
    6: "Langs de ringvaart drie keer per week wandelen.",
    7: "Langs de ringvaart en drie bruggen verder woont mijn zus.",
    8: "De ringvaart, de drie molens en het gemaal.",
    9: "Een scholier vertelde over haar dag.",
    10: "Wit geschilderde huizen aan de dijk.",
    11: "Koffie met de buren in de buurtkamer.",
    12: "Koffie met buren op het plein.",
}


def _documents():
    return [ZoekDocument(id=key, titel="", tekst_publiek=tekst, status="actief") for key, tekst in TEKSTEN.items()]


def found(backend, tekst) -> set[int]:
    return set(backend.search(Zoekopdracht(tekst=tekst, per_pagina=200)).ids)


@pytest.fixture
def corpus(backend):
    backend.add(_documents())
    return backend


def test_prefix_is_expanded_on_the_word_as_written(corpus):
    # "vandaag" is stemmed to "vandag": a stemmed prefix "vandaa" found nothing.
    assert found(corpus, "vandaa*") == {1, 2}
    assert found(corpus, "vanda*") == {1, 2}


def test_prefix_finds_every_word_that_starts_with_it(corpus):
    # school, schoonmaakster, schoon; "scholier" does not start with "schoo".
    assert found(corpus, "schoo*") == {3, 4}
    # The prefix is also matched on stems, as before: "school" is stemmed to "schol".
    assert found(corpus, "schol*") == {3, 9}


def test_typo_tolerance_for_a_short_stem(corpus):
    # "witen" is not in any story as written: its near spelling "weten" is searched as well
    # (the stems "wit"/"wet" are too short for any edit). Its own stem still counts ("Wit").
    result = corpus.search(Zoekopdracht(tekst="witen", per_pagina=200))
    assert set(result.ids) == {5, 10}
    assert result.verbeteringen == {"witen": ["weten"]}
    fragments = {hit.id: str(hit.fragment) for hit in result.treffers}
    assert "<mark>weten</mark>" in fragments[5]


def test_a_known_word_is_not_corrected(corpus):
    result = corpus.search(Zoekopdracht(tekst="wit", per_pagina=200))
    assert set(result.ids) == {10}
    assert result.verbeteringen == {}


def test_phrase_matches_the_words_adjacent_as_written(corpus):
    # Not "ringvaart en drie" (a stop word between) nor "ringvaart, de drie".
    assert found(corpus, '"ringvaart drie"') == {6}
    assert found(corpus, "ringvaart drie") == {6, 7, 8}


def test_phrase_with_stop_words_keeps_their_place(corpus):
    # One stop word between, whichever (PostgreSQL's phrase rule): "ringvaart, de drie" too.
    assert found(corpus, '"ringvaart en drie"') == {7, 8}
    assert found(corpus, '"koffie met de buren"') == {11}
    assert found(corpus, '"koffie met buren"') == {12}


def test_both_back_ends_agree_on_these_queries(whoosh_backend, pg_backend):
    for backend in (whoosh_backend, pg_backend):
        backend.add(_documents())
    for query in ('vandaa*', 'schoo*', 'schol*', 'witen', '"ringvaart drie"', '"ringvaart en drie"',
                  '"koffie met de buren"', 'koffie NIET buurtkamer', 'dag OF school', 'wande*'):
        assert found(whoosh_backend, query) == found(pg_backend, query), query
