"""Whoosh (whoosh-reloaded) back end: one index folder, safe for several writing processes.

Writers take an exclusive `flock` on a lock file next to the index (and a process-wide
threading lock), so concurrent processes and threads queue instead of failing with
LockError or losing updates. Facet counts and filters use numpy bitmaps of the matching
document numbers, cached per searcher generation, which keeps them fast at 100k stories.
"""

from __future__ import annotations

import fcntl
import itertools
import logging
import pickle
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from whoosh import index as whoosh_index
from whoosh import writing as whoosh_writing
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, W3PostingsWriter, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import CLEAR

from verhalenbank.core.jobs import available_cores
from verhalenbank.zoeken.analyse import (
    STOPWOORDEN,
    compound_text,
    forget_texts,
    normalise_word,
    pair_term,
    stem,
    spelling_alternatives,
    word_forms,
    word_pairs,
)
from verhalenbank.zoeken.backend import (
    FACET_FIELDS,
    ReentrantLock,
    ZoekBackend,
    ZoekDocument,
    Zoekopdracht,
    Zoekresultaat,
    date_number,
    filter_count_and_page,
    page_result,
)
from verhalenbank.zoeken.zoekvraag import And, Not, Or, Phrase, Prefix, Term, parse_query

logger = logging.getLogger(__name__)

INDEX_NAME = "verhalen"
# One searchable field (title, public text, lemmas, keywords, compound parts): a single
# posting list per term is several times faster to walk in Python than a union of fields.
CONTENT_FIELD = "inhoud"
# Neighbouring stems ("koffi_bur" for "koffie met de buren"): a two-word phrase is one term
# lookup instead of a walk over positions; longer phrases need all their pairs.
PAIR_FIELD = "paren"
# The words as written (not stemmed): prefixes and typo tolerance are matched on these, then
# searched as their stems in CONTENT_FIELD ("vandaa*" finds "vandaag", stem "vandag").
FORMS_FIELD = "vormen"
WRITER_TIMEOUT_SECONDS = 120.0
REBUILD_POOL_MB = 512
# A rebuild of at least this many stories runs in several processes (fork costs ~50 ms each).
PARALLEL_FROM = 2_000
PARALLEL_BATCH = 250  # stories per job file MpWriter hands to a sub-process
MAX_BUILD_PROCESSES = 4
RUN_CHUNK = 10_000  # postings per pickled chunk of a spilled pool run (_ChunkedPostingPool)
INLINE_LIMIT = 1  # stories: a term in at most this many is inlined (_InliningPostingsWriter)


def build_processes() -> int:
    """The cores this process may run on, at most MAX_BUILD_PROCESSES."""
    return available_cores(MAX_BUILD_PROCESSES)
BM25_B, BM25_K1 = 0.75, 1.2  # whoosh's BM25F defaults
_LENGTH_OF_CODE = [byte_to_length(code) for code in range(256)]  # whoosh's length byte -> length
_LENGTH_TABLE = np.array(_LENGTH_OF_CODE, dtype=np.float64)



class _LengthsInMemory(W3PerDocReader):
    """The document lengths of a segment being written, each field's column read once.

    Whoosh writes every posting with its document's field length, which it looks up in the
    lengths column it has just written: a file read per posting (1.2 million per 10,000
    stories, a sixth of a rebuild). Same values, same files, read from memory."""

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._in_memory: dict[str, bytes | None] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        if fieldname not in self._in_memory:
            lenfield = _lenfield(fieldname)
            codes = None
            if self.has_column(lenfield):
                colfile, offset, length = self._get_column_file(lenfield)
                try:
                    codes = colfile.get(offset, length)
                finally:
                    colfile.close()
            self._in_memory[fieldname] = codes
        codes = self._in_memory[fieldname]
        if codes is None:
            return default
        # As W3PerDocReader: a document past the column has code 0, and code 0 gives None.
        code = codes[docnum] if docnum < len(codes) else 0
        return _LENGTH_OF_CODE[code] if code else None


class _InliningPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, with a term found in at most INLINE_LIMIT stories kept in its
    entry of the terms table instead of a block of its own in the postings file. Whoosh's
    format reads such entries (W3TermInfo's inlined postings); its own writer cannot make them
    (it calls a method W3TermInfo does not have). Most word pairs occur in one story only, and
    a block costs a header, a pickle and a zlib call per term (a sixth of a rebuild's time)."""

    def finish_postings(self):
        # Values are kept only when not empty, so with some empty they no longer line up.
        if self.written() or len(self) > INLINE_LIMIT or len(self._values) not in (0, len(self._ids)):
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        # One value per posting, as bytes: a field without values (Existence) gets b"" each,
        # or whoosh's ListMatcher answers "" (text) and a later merge refuses it.
        terminfo.set_inlined(self._ids, self._weights, self._values or [b""] * len(self._ids))
        self._terminfo = None
        return terminfo


class _WritingCodec(W3Codec):
    """Whoosh's own codec, with the lengths read from memory while a segment is written, and
    rare terms inlined (_InliningPostingsWriter)."""

    def postings_writer(self, dbfile, byteids=False):
        return _InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                       compression=self._compression)

    def per_document_reader(self, storage, segment):
        return _LengthsInMemory(storage, segment)

    def new_segment(self, storage, indexname):
        # The segment, pickled into the index's table of contents, names whoosh's own codec:
        # reading an index never depends on this class.
        return W3Codec().new_segment(storage, indexname)


class _ChunkedPostingPool(whoosh_writing.PostingPool):
    """Whoosh's pool of postings waiting to be sorted, with each run it spills to a temporary
    file pickled in chunks of RUN_CHUNK postings instead of one pickle call per posting. A
    rebuild spills once a process holds more than its pool (from about 20,000 stories), and
    then the per-posting pickling and unpickling took a third of the time. The runs are read
    back by the same build (this class in every process of it) and deleted; the index files
    do not change."""

    def _write_run(self, f, items):
        try:
            chunk: list = []
            for item in items:
                chunk.append(item)
                if len(chunk) >= RUN_CHUNK:
                    pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if chunk:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        finally:
            f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


# Every SegmentWriter makes its pool from this module attribute, also in the sub-processes
# of a parallel rebuild (which MpWriter starts itself), so it is replaced here, once.
whoosh_writing.PostingPool = _ChunkedPostingPool


class DutchFilter(Filter):
    """Lower case, fold accents, drop Dutch stop words (renumbering positions), stem."""

    def __call__(self, tokens):
        position = 0
        for token in tokens:
            word = normalise_word(token.text)
            if word in STOPWOORDEN:
                continue
            token.text = stem(word)
            if token.positions:
                token.pos = position
                position += 1
            yield token


def dutch_analyzer():
    return RegexTokenizer(r"\w+") | DutchFilter()


def build_schema() -> Schema:
    analyzer = dutch_analyzer()
    # Only the content field is scored (BM25 over its lengths), so only it keeps a length
    # column per story. Whoosh would look a missing column up on disk once per posting while
    # it writes a segment; _LengthsInMemory looks once per field.
    facet_fields = {
        name: KEYWORD(commas=True, lowercase=False, scorable=False, stored=False)
        for name in FACET_FIELDS
    }
    return Schema(
        id=ID(unique=True, stored=True),
        # Only read as columns (numpy arrays for sorting, date filters and hits), never
        # searched: no postings (a NUMERIC field wrote 24 per story, a sixth of all).
        idnum=COLUMN(NumericColumn("Q")),
        datum=COLUMN(NumericColumn("Q")),
        inhoud=TEXT(analyzer=analyzer, phrase=False),
        paren=KEYWORD(lowercase=False, commas=False, scorable=False),
        vormen=KEYWORD(lowercase=False, commas=False, scorable=False),
        tekst=STORED(),
        **facet_fields,
    )


def _document_fields(document: ZoekDocument) -> dict:
    try:
        return _fields_of(document)
    finally:
        forget_texts()


def _fields_of(document: ZoekDocument) -> dict:
    content_parts = (
        document.titel or "",
        document.tekst_publiek or "",
        document.lemmas or "",
        " ".join(document.trefwoorden or []),
        compound_text(document.titel or "", document.tekst_publiek or ""),
    )
    fields = {
        "id": str(document.id),
        "idnum": int(document.id),
        "datum": date_number(document.datum),
        "tekst": document.tekst_publiek or "",
        # Lists of terms, not text: whoosh then skips its tokenizer (the same terms as the
        # words of the joined text).
        "paren": [
            pair for text in (document.titel or "", document.tekst_publiek or "") for pair in word_pairs(text) if pair
        ],
        "inhoud": "\n".join(part for part in content_parts if part),
        "vormen": sorted(form for form in word_forms(*content_parts) if form),
    }
    for name, values in document.facet_values().items():
        fields[name] = ",".join(value.replace(",", " ").strip() for value in values)
    return fields


def _read_postings(reader, field: str, term: str, *, with_weights: bool = True):
    """(local document numbers, term frequencies) of one term in one segment, block by block.

    Reads whoosh's posting blocks directly (a few hundred documents per call) instead of one
    Python call per document; deletions are ignored here because the live mask handles them.
    """
    if (field, term) not in reader:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    matcher = reader.postings(field, term)
    raw = matcher
    while not hasattr(raw, "_read_ids") and hasattr(raw, "child"):
        raw = raw.child  # unwrap the deletion filter
    id_parts: list[np.ndarray] = []
    tf_parts: list[np.ndarray] = []
    if hasattr(raw, "_read_ids") and hasattr(raw, "_next_block"):
        while raw.is_active():
            raw._read_ids()
            id_parts.append(np.fromiter(raw._ids, dtype=np.int64))
            if with_weights:
                raw._read_weights()
                tf_parts.append(np.fromiter(raw._weights, dtype=np.float64))
            raw._next_block()
    else:  # another codec: the slow, public way
        ids, tfs = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            tfs.append(matcher.weight() if with_weights else 1.0)
            matcher.next()
        id_parts.append(np.asarray(ids, dtype=np.int64))
        tf_parts.append(np.asarray(tfs, dtype=np.float64))
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    ids = np.concatenate(id_parts)
    tfs = np.concatenate(tf_parts) if with_weights else np.ones(ids.size, dtype=np.float64)
    return ids, tfs


class _SegmentData:
    """Per-document arrays of one segment. Segments never change (only their deletions do),
    so these survive index changes: after a write only the new, small segment is read."""

    def __init__(self, reader):
        count = reader.doc_count_all()
        self.count = count
        if count:
            self.dates = np.fromiter(reader.column_reader("datum"), dtype=np.int64, count=count)
            self.idnums = np.fromiter(reader.column_reader("idnum"), dtype=np.int64, count=count)
            column = reader._perdoc._cached_reader(_lenfield(CONTENT_FIELD), LENGTHS_COLUMN)
            if column is None:
                self.lengths = np.zeros(count, dtype=np.float64)
            else:
                codes = np.fromiter((column[docnum] for docnum in range(count)), dtype=np.int64, count=count)
                self.lengths = _LENGTH_TABLE[codes]
        else:
            self.dates = np.zeros(0, dtype=np.int64)
            self.idnums = np.zeros(0, dtype=np.int64)
            self.lengths = np.zeros(0, dtype=np.float64)
        self._facet_ids: dict[tuple[str, str], np.ndarray] = {}

    def facet_ids(self, reader, field: str, value: str) -> np.ndarray:
        key = (field, value)
        ids = self._facet_ids.get(key)
        if ids is None:
            ids, _ = _read_postings(reader, field, value, with_weights=False)
            self._facet_ids[key] = ids
        return ids


class _SearcherCache:
    """Bitmaps and columns derived from one searcher; thrown away when the index changes."""

    def __init__(self, searcher, segments: dict[str, _SegmentData]):
        self.searcher = searcher
        self.size = searcher.reader().doc_count_all()
        self.parts: list[tuple[_SegmentData, int, object]] = []
        live = np.ones(self.size, dtype=bool)
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            segment = reader.segment()
            key = segment.segment_id() if segment is not None else f"leaf-{offset}"
            data = segments.get(key)
            if data is None:
                data = segments[key] = _SegmentData(reader)
            self.parts.append((data, offset, reader))
            if reader.has_deletions():
                deleted = np.fromiter(segment.deleted_docs(), dtype=np.int64)
                live[deleted + offset] = False
        self.live = live
        self.dates = self._joined("dates", np.int64)
        self.idnums = self._joined("idnums", np.int64)
        self.lengths = self._joined("lengths", np.float64)
        self._value_masks: dict[tuple[str, str], np.ndarray] = {}
        self._field_values: dict[str, list[str]] = {}
        self._vocabulary: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def _joined(self, name: str, dtype) -> np.ndarray:
        arrays = [getattr(data, name) for data, _, _ in self.parts]
        return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)

    # --- vectorised BM25 (whoosh's own formula, computed with numpy instead of per document) --

    def postings(self, term: str, field: str = CONTENT_FIELD) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of a term over every segment."""
        id_parts, tf_parts = [], []
        for _data, offset, reader in self.parts:
            ids, tfs = _read_postings(reader, field, term)
            if ids.size:
                id_parts.append(ids + offset)
                tf_parts.append(tfs)
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return np.concatenate(id_parts), np.concatenate(tf_parts)

    def terms_scores(self, terms: Iterable[str], field: str = CONTENT_FIELD) -> tuple[np.ndarray, np.ndarray]:
        """Bitmap and summed BM25 scores of documents holding any of the terms."""
        lengths = self.lengths
        average = self.searcher.avg_field_length(CONTENT_FIELD) or 1.0
        all_ids, all_scores = [], []
        for term in terms:
            ids, tfs = self.postings(term, field)
            if not ids.size:
                continue
            idf = self.searcher.idf(field, term)
            norm = BM25_K1 * ((1 - BM25_B) + BM25_B * lengths[ids] / average)
            all_ids.append(ids)
            all_scores.append(idf * (tfs * (BM25_K1 + 1)) / (tfs + norm))
        if not all_ids:
            return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float64)
        ids = np.concatenate(all_ids)
        scores = np.bincount(ids, weights=np.concatenate(all_scores), minlength=self.size)
        mask = np.zeros(self.size, dtype=bool)
        mask[ids] = True
        return mask & self.live, scores

    def value_mask(self, field: str, value: str) -> np.ndarray:
        key = (field, value)
        mask = self._value_masks.get(key)
        if mask is None:
            mask = np.zeros(self.size, dtype=bool)
            for data, offset, reader in self.parts:
                ids = data.facet_ids(reader, field, value)
                if ids.size:
                    mask[ids + offset] = True
            mask &= self.live
            self._value_masks[key] = mask
        return mask

    def field_values(self, field: str) -> list[str]:
        values = self._field_values.get(field)
        if values is None:
            values = list(self.searcher.reader().field_terms(field))
            self._field_values[field] = values
        return values

    def expand(self, field: str, prefix: str) -> list[str]:
        """Indexed terms of a field that start with `prefix`."""
        return [
            term.decode("utf-8") if isinstance(term, bytes) else term
            for term in self.searcher.reader().expand_prefix(field, prefix)
        ]

    def vocabulary(self, first_letter: str) -> list[str]:
        """Indexed word forms starting with a letter (candidates for typo tolerance)."""
        words = self._vocabulary.get(first_letter)
        if words is None:
            words = self._vocabulary[first_letter] = sorted(set(self.expand(FORMS_FIELD, first_letter)))
        return words


def _purge_deleted(writer, segments):
    """Whoosh merge policy: copy the live documents of every segment with deletions into the
    new segment and drop the old one; segments without deletions are kept as they are."""
    from whoosh.reading import SegmentReader

    kept = []
    for segment in segments:
        if segment.has_deletions():
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            kept.append(segment)
    return kept


class WhooshBackend(ZoekBackend):
    naam = "whoosh"

    def __init__(self, index_dir: str | Path):
        self.index_dir = Path(index_dir)
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._lock_path = self.index_dir / "schrijfslot.lock"
        self._lock = ReentrantLock(self._flock)
        self._local = threading.local()
        self._segments: dict[str, _SegmentData] = {}
        self._index = None
        with self._exclusive():
            if whoosh_index.exists_in(self.index_dir, indexname=INDEX_NAME):
                self._index = whoosh_index.open_dir(self.index_dir, indexname=INDEX_NAME)
                if set(self._index.schema.names()) != set(build_schema().names()):
                    # An index from an older version: start empty; start-up drift detection
                    # reports it and `verhalenbank reindex` fills it again.
                    logger.warning("Search index %s has an old layout; it was emptied, run reindex", self.index_dir)
                    self._index = whoosh_index.create_in(self.index_dir, build_schema(), indexname=INDEX_NAME)
            else:
                self._index = whoosh_index.create_in(self.index_dir, build_schema(), indexname=INDEX_NAME)

    # --- writing ------------------------------------------------------------------------

    @contextmanager
    def _flock(self) -> Iterator[None]:
        with open(self._lock_path, "a+") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    def _exclusive(self):
        """One writer at a time across threads and processes (flock), re-entrant: a thread
        that holds it (write_lock around add) does not wait for itself."""
        return self._lock()

    def write_lock(self):
        return self._lock()

    @contextmanager
    def _writer(self, limitmb: int = 128, writer_options: dict | None = None, **commit_options):
        """Whoosh's writer under our cross-process lock; on any failure, including in commit,
        whoosh's own lock is released, or every later write would wait and then fail."""
        with self._exclusive():
            # The flock already serialises us; whoosh's own lock can still be held briefly
            # by a process that doesn't use this class, so retry with backoff before failing.
            delay = 0.05
            deadline = time.monotonic() + WRITER_TIMEOUT_SECONDS
            while True:
                try:
                    writer = self._index.writer(limitmb=limitmb, codec=_WritingCodec(), **(writer_options or {}))
                    break
                except LockError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
            try:
                yield writer
                writer.commit(**commit_options)
            except BaseException:
                _abandon(writer)
                raise

    def add(self, documents: Iterable[ZoekDocument]) -> int:
        documents = list(documents)
        if not documents:
            return 0
        with self._writer() as writer:
            for document in documents:
                writer.update_document(**_document_fields(document))
        return len(documents)

    def remove(self, ids: Iterable[int]) -> int:
        ids = list(ids)
        if not ids:
            return 0
        with self._writer() as writer:
            for document_id in ids:
                writer.delete_by_term("id", str(document_id))
        return len(ids)

    def purge_deleted(self) -> int:
        """Rewrite the segments holding deleted stories, so an erased story's words leave the
        disk (a delete only marks it). Seconds on a big index (per 10,000 stories), so a served
        erasure runs it on the background worker after answering (verwerking.verwijder_verwerking);
        `verhalenbank opschonen` runs it too. Returns segments rewritten."""
        with self._exclusive():
            if not any(segment.has_deletions() for segment in self._index._segments()):  # noqa: SLF001
                return 0
        herschreven = []

        def purge(writer, segments):
            herschreven.extend(s for s in segments if s.has_deletions())
            return _purge_deleted(writer, segments)

        with self._writer(mergetype=purge):
            pass
        return len(herschreven)

    def rebuild(self, documents: Iterable[ZoekDocument], *, processes: int | None = None) -> int:
        """Replace the whole index. From PARALLEL_FROM stories on, and where the machine has
        more than one core, whoosh's MpWriter analyses and writes in `processes` sub-processes
        (default: the cores, at most MAX_BUILD_PROCESSES), each making its own segment, while
        this process reads the stories and prepares their fields."""
        documents = iter(documents)
        first = list(itertools.islice(documents, PARALLEL_FROM))
        processes = build_processes() if processes is None else max(1, processes)
        parallel = processes > 1 and len(first) == PARALLEL_FROM
        writer_options = {"procs": processes, "multisegment": True, "batchsize": PARALLEL_BATCH} if parallel else {}
        written = 0
        # A bigger posting pool for the bulk rebuild: below it whoosh pickles every posting
        # to temporary files and reads them back (about a third of the time at 10,000 stories).
        pool_mb = REBUILD_POOL_MB // processes if parallel else REBUILD_POOL_MB
        with self._writer(limitmb=pool_mb, writer_options=writer_options, mergetype=CLEAR) as writer:
            for document in itertools.chain(first, documents):
                writer.add_document(**_document_fields(document))
                written += 1
        indexed = self._index.doc_count()
        if indexed != written:
            # MpWriter drops the segment of a sub-process that died (it waits one second for
            # each result); never leave a silently incomplete index behind.
            raise RuntimeError(
                f"Search index build wrote {indexed} of {written} stories in {processes} processes; "
                "run `verhalenbank reindex --processen 1`"
            )
        return written

    # --- reading ------------------------------------------------------------------------

    def _cache(self) -> _SearcherCache:
        """A searcher per thread (whoosh readers aren't thread-safe), refreshed on change."""
        cache: _SearcherCache | None = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._new_cache()
        elif not cache.searcher.up_to_date():
            # A fresh searcher, not refresh(): refresh() reuses segment readers and can miss
            # deletions committed to an existing segment.
            old_searcher = cache.searcher
            cache = self._new_cache()
            old_searcher.close()
        self._local.cache = cache
        return cache

    def _new_cache(self) -> _SearcherCache:
        cache = _SearcherCache(self._index.searcher(), self._segments)
        # Forget segments that were merged away.
        current = {id(data) for data, _, _ in cache.parts}
        for key in [key for key, data in list(self._segments.items()) if id(data) not in current]:
            self._segments.pop(key, None)
        return cache

    def count(self) -> int:
        return int(self._cache().live.sum())

    def ids(self) -> set[int]:
        cache = self._cache()
        return set(cache.idnums[cache.live].tolist())

    def close(self) -> None:
        cache = getattr(self._local, "cache", None)
        if cache is not None:
            cache.searcher.close()
            self._local.cache = None

    # --- searching ----------------------------------------------------------------------

    def _evaluate(self, node, cache: _SearcherCache, corrections: dict[str, list[str]], extra: set[str]):
        """(bitmap, scores) of a query tree, with numpy over the posting lists.

        `corrections` gets the near spellings searched for unknown words, `extra` the stems
        searched besides the query's own (for highlighting)."""
        if isinstance(node, Term):
            reader = cache.searcher.reader()
            terms = {node.stem}
            candidates = spelling_alternatives(node.word, (FORMS_FIELD, node.word) in reader, cache.vocabulary)
            if candidates:
                corrections[node.word] = candidates
                alternatives = {stem(candidate) for candidate in candidates}
                extra.update(alternatives)
                terms |= alternatives
            return cache.terms_scores(sorted(terms))
        if isinstance(node, Prefix):
            terms = set(cache.expand(CONTENT_FIELD, node.stem))
            # Words whose stem no longer starts with the prefix ("vandaag" -> "vandag").
            from_forms = {stem(form) for form in cache.expand(FORMS_FIELD, node.word)} - terms
            extra.update(from_forms)
            return cache.terms_scores(sorted(terms | from_forms))
        if isinstance(node, Phrase):
            pairs = [
                pair_term(first, second, gap)
                for first, second, gap in zip(node.stems, node.stems[1:], node.gaps)
            ]
            mask, scores = cache.live.copy(), np.zeros(cache.size, dtype=np.float64)
            for pair in pairs:
                pair_mask, pair_scores = cache.terms_scores([pair], PAIR_FIELD)
                mask &= pair_mask
                scores += pair_scores
            return mask, scores
        if isinstance(node, And):
            mask = cache.live.copy()
            scores = np.zeros(cache.size, dtype=np.float64)
            for child in node.children:
                if isinstance(child, Not):
                    excluded, _ = self._evaluate(child.child, cache, corrections, extra)
                    mask &= ~excluded
                else:
                    child_mask, child_scores = self._evaluate(child, cache, corrections, extra)
                    mask &= child_mask
                    scores += child_scores
            return mask, scores
        if isinstance(node, Or):
            mask = np.zeros(cache.size, dtype=bool)
            scores = np.zeros(cache.size, dtype=np.float64)
            for child in node.children:
                child_mask, child_scores = self._evaluate(child, cache, corrections, extra)
                mask |= child_mask
                scores += child_scores
            return mask, scores
        raise TypeError(f"unknown query node {node!r}")

    def search(self, opdracht: Zoekopdracht) -> Zoekresultaat:
        opdracht.validate()
        node = parse_query(opdracht.tekst)
        cache = self._cache()
        with cache.lock:
            return self._search(opdracht, node, cache)

    def _search(self, opdracht: Zoekopdracht, node, cache: _SearcherCache) -> Zoekresultaat:
        searcher = cache.searcher
        corrections: dict[str, list[str]] = {}
        extra: set[str] = set()
        scores = None
        if node is None:
            text_mask = cache.live
        else:
            text_mask, scores = self._evaluate(node, cache, corrections, extra)
            if opdracht.sortering != "relevantie":
                scores = None

        total, facets, page = filter_count_and_page(
            opdracht,
            text_mask=text_mask,
            scores=scores,
            dates=cache.dates,
            idnums=cache.idnums,
            value_mask=cache.value_mask,
            field_values=cache.field_values,
        )

        rows = []
        for docnum, score in page:
            stored = searcher.stored_fields(docnum)
            rows.append((int(stored["id"]), stored.get("tekst", ""), score))
        return page_result(opdracht, node, total=total, facets=facets, rows=rows, matched_stems=extra,
                           corrections=corrections)


def _abandon(writer) -> None:
    """Give up a writer whose work or commit failed, always freeing whoosh's write lock."""
    try:
        if not writer.is_closed:
            writer.cancel()
    except Exception:  # noqa: BLE001 - half-written segment files: the next commit cleans them up
        logger.warning("cancelling a failed index writer failed", exc_info=True)
    finally:
        lock = getattr(writer, "writelock", None)
        if lock is not None and getattr(lock, "fd", None) is not None:
            lock.release()
