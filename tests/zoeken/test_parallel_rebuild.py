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
            # A field without values: whoosh's blocks read None, an inlined term b"" (both empty).
            postings = sorted((story_of[docnum], value or b"")
                              for docnum, value in reader.postings(field, term).all_items())
            table.append((field, term, info.weight(), info.doc_frequency(), info.min_length(),
                          info.max_length(), info.max_weight(), postings))
    return table


@pytest.mark.parametrize("processes", [1, 2])
def test_lengths_read_from_memory_write_the_same_index_as_whoosh(tmp_path, monkeypatch, small_parallel, processes):
    """The rebuild reads document lengths from memory and inlines rare terms (_WritingCodec),
    in this process or in MpWriter's sub-processes: the terms, postings and per-term length
    statistics are those whoosh's own codec writes, and the index names whoosh's codec, so
    reading it never needs ours."""
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


def test_a_word_of_one_story_is_kept_in_the_terms_table_and_found_after_merges(tmp_path):
    """A term in one story is inlined in the terms table (no block of its own); once a second
    story has it, a merge writes it as a block, and both stories are found throughout."""
    from verhalenbank.zoeken.backend import ZoekDocument

    def inlined(backend, word: str) -> list[bool]:
        [term] = whoosh_backend.build_schema()["inhoud"].process_text(word, mode="index")
        with backend._index.searcher() as searcher:
            return [reader.term_info("inhoud", term).is_inlined()
                    for reader, _ in searcher.reader().leaf_readers() if ("inhoud", term) in reader]

    backend = WhooshBackend(tmp_path / "index")
    try:
        backend.rebuild(_many(2) + [ZoekDocument(id=9001, tekst_publiek="Een zeldzame zeppelin boven de wijk.",
                                                 status="actief")], processes=1)
        assert inlined(backend, "zeppelin") == [True]
        assert inlined(backend, "buren") == [False]  # in many stories: a postings block
        assert backend.search(Zoekopdracht(tekst="zeppelin")).ids == [9001]
        for n in range(12):  # enough small writes for whoosh to merge segments
            backend.add([ZoekDocument(id=9100 + n, tekst_publiek=f"Weer een zeppelin, nummer {n}.", status="actief")])
        assert backend.search(Zoekopdracht(tekst="zeppelin", per_pagina=50)).totaal == 13
        assert False in inlined(backend, "zeppelin")  # merged: a block with several stories
        backend.remove([9001])
        backend.purge_deleted()
        assert not any(segment.has_deletions() for segment in backend._index._segments())
        [term] = whoosh_backend.build_schema()["inhoud"].process_text("zeppelin", mode="index")
        with backend._index.searcher() as searcher:
            assert searcher.reader().doc_frequency("inhoud", term) == 12  # the erased story's is gone
        assert backend.search(Zoekopdracht(tekst="zeppelin", per_pagina=50)).totaal == 12
    finally:
        backend.close()


def test_pairs_and_forms_given_as_lists_index_the_terms_of_their_text():
    """The pair and form fields reach whoosh as lists of terms (no tokenizer); whoosh must index
    exactly what it indexed from the same terms as space-separated text."""
    schema = whoosh_backend.build_schema()
    compared = 0
    for document in make_corpus():
        fields = whoosh_backend._document_fields(document)
        for name in (whoosh_backend.PAIR_FIELD, whoosh_backend.FORMS_FIELD):
            assert isinstance(fields[name], list)
            as_text = " ".join(fields[name])
            assert sorted(schema[name].index(fields[name])) == sorted(schema[name].index(as_text))
            compared += len(fields[name])
    assert compared > 100


def test_a_rebuild_that_spills_postings_to_disk_writes_the_index_whoosh_writes(tmp_path, monkeypatch):
    """Past its pool a rebuild writes sorted runs of postings to temporary files, in chunks
    (_ChunkedPostingPool): the index must be the one whoosh's own pool gives."""
    from whoosh import writing

    documents = _many(12)
    runs: list[int] = []
    write_run = whoosh_backend._ChunkedPostingPool._write_run
    monkeypatch.setattr(whoosh_backend._ChunkedPostingPool, "_write_run",
                        lambda self, f, items: runs.append(1) or write_run(self, f, items))
    monkeypatch.setattr(whoosh_backend, "REBUILD_POOL_MB", 0.1)  # about 500 postings
    monkeypatch.setattr(whoosh_backend, "RUN_CHUNK", 100)
    ours = WhooshBackend(tmp_path / "ons")
    ours.rebuild(documents, processes=1)
    assert len(runs) >= 3  # it did spill
    monkeypatch.setattr(writing, "PostingPool", whoosh_backend._ChunkedPostingPool.__bases__[0])
    whoosh_own = WhooshBackend(tmp_path / "whoosh")
    whoosh_own.rebuild(documents, processes=1)
    try:
        assert _term_table(ours) == _term_table(whoosh_own)
        assert _answers(ours) == _answers(whoosh_own)
    finally:
        ours.close()
        whoosh_own.close()
