"""A big Whoosh rebuild runs in several processes (issue 17) and never leaves a short index."""

from __future__ import annotations

import dataclasses

import pytest

from verhalenbank.zoeken import whoosh_backend
from verhalenbank.zoeken.backend import Zoekopdracht
from verhalenbank.zoeken.whoosh_backend import WhooshBackend

from tests.zoeken.zoekcorpus import make_corpus

QUERIES = ["buren", "koffie", "mantelzorg*", '"repair cafe"', "buurtkamer", "huisatrs", ""]


def _many(copies: int):
    """The test corpus over and over, with ids of their own."""
    corpus = make_corpus()
    return [
        dataclasses.replace(document, id=round_ * 100 + document.id)
        for round_ in range(copies)
        for document in corpus
    ]


def _answers(backend) -> list:
    results = []
    for tekst in QUERIES:
        for sortering in ("relevantie", "datum"):
            result = backend.search(Zoekopdracht(tekst=tekst, sortering=sortering, per_pagina=30, facetten=("wijk", "subdoel")))
            results.append((result.totaal, result.ids, result.facetten))
    return results


@pytest.fixture
def small_parallel(monkeypatch):
    """Parallel from 40 stories on, 7 stories per job, so a test corpus spreads over processes."""
    monkeypatch.setattr(whoosh_backend, "PARALLEL_FROM", 40)
    monkeypatch.setattr(whoosh_backend, "PARALLEL_BATCH", 7)


def test_a_parallel_rebuild_finds_what_one_process_finds(tmp_path, small_parallel):
    documents = _many(12)
    alone, parallel = WhooshBackend(tmp_path / "een"), WhooshBackend(tmp_path / "twee")
    try:
        assert alone.rebuild(documents, processes=1) == len(documents)
        assert parallel.rebuild(documents, processes=2) == len(documents)

        # Each sub-process wrote a segment of its own: the work was really shared.
        assert len(alone._index._segments()) == 1
        assert len(parallel._index._segments()) == 2
        assert parallel.ids() == {document.id for document in documents}
        assert _answers(parallel) == _answers(alone)
        assert _answers(alone)[0][0] == 4 * 12  # "buren": four of the seven stories, twelve times
    finally:
        alone.close()
        parallel.close()


def test_a_small_rebuild_stays_in_this_process(tmp_path, small_parallel):
    backend = WhooshBackend(tmp_path / "index")
    try:
        backend.rebuild(_many(2), processes=2)  # 14 stories: below PARALLEL_FROM
        assert len(backend._index._segments()) == 1
    finally:
        backend.close()


def test_a_sub_process_that_dies_is_reported_not_a_short_index(tmp_path, small_parallel, monkeypatch):
    real_stem = whoosh_backend.stem

    def stem(word: str) -> str:
        # Sub-processes are forked, so they analyse with this function too.
        if word == "onleesbaar":
            raise RuntimeError("analysis failed")
        return real_stem(word)

    monkeypatch.setattr(whoosh_backend, "stem", stem)
    documents = _many(12)
    documents[3] = dataclasses.replace(documents[3], tekst_publiek="Een onleesbaar verhaal.")
    backend = WhooshBackend(tmp_path / "index")
    try:
        with pytest.raises(RuntimeError, match=r"reindex --processen 1"):
            backend.rebuild(documents, processes=2)
    finally:
        backend.close()


def _term_table(backend) -> list:
    """Every term with its statistics (weights, lengths the postings were written with) and
    its postings by story id, as whoosh reads them back; independent of which segment (which
    sub-process) a story went to."""
    table = []
    with backend._index.searcher() as searcher:
        reader = searcher.reader()
        story_of = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        for field, term in reader.all_terms():
            info = reader.term_info(field, term)
            postings = sorted((story_of[docnum], value) for docnum, value in reader.postings(field, term).all_items())
            table.append((field, term, info.weight(), info.doc_frequency(), info.min_length(),
                          info.max_length(), info.max_weight(), postings))
    return table


@pytest.mark.parametrize("processes", [1, 2])
def test_lengths_read_from_memory_write_the_same_index_as_whoosh(tmp_path, monkeypatch, small_parallel, processes):
    """The rebuild reads document lengths from memory (_WritingCodec), in this process or in
    MpWriter's sub-processes: the terms, postings and per-term length statistics are those
    whoosh's own codec writes, and the index names whoosh's codec, so reading it never needs
    ours."""
    documents = _many(12)
    ours = WhooshBackend(tmp_path / "ons")
    ours.rebuild(documents, processes=processes)
    monkeypatch.setattr(whoosh_backend, "_WritingCodec", whoosh_backend.W3Codec)
    whoosh_own = WhooshBackend(tmp_path / "whoosh")
    whoosh_own.rebuild(documents, processes=processes)
    try:
        assert len(ours._index._segments()) == processes
        table = _term_table(ours)
        assert len(table) > 100
        assert table == _term_table(whoosh_own)
        assert {type(segment.codec()) for segment in ours._index._segments()} == {whoosh_backend.W3Codec}
        assert _answers(ours) == _answers(whoosh_own)
    finally:
        ours.close()
        whoosh_own.close()
