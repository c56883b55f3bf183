"""Auto-tagging of stories against a doelenboom, as calibrated probabilities.

* **Similarity** (``ColdStartTagger``): from the tree's own words. Subdoel titles, descriptions
  and indicator titles are lemmatised, stemmed (plus word beginnings) and split into compound
  parts, weighted by how specific a word is to one subdoel of the tree, and expanded with words
  the bank's own stories use together with them. Once people judged stories for the tree, each
  subdoel's query moves towards the stories it was given (Rocchio); the tree's words stay the
  prior. The examples are read at every scoring, so a decision counts at the next retag.
* **Probability** (``calibrated_probability``): features of one (story, subdoel) pair that look
  only at this tree and the bank's stories (similarity standardised over the bank, closeness to
  the tree's best subdoel, lead over the next, closeness to the tree as a whole, and what the
  nearest stories people judged for the tree say) go through a small logistic calibrator
  (benchmarks/fit_tagger_calibration.py: features chosen on development trees, leaving one out
  at a time; coefficients fitted on the development and example trees). A score is the
  estimated chance that a careful human coder gives the story this subdoel, on the same scale in
  every tree whatever else the bank holds; below the suggestion threshold nothing is suggested,
  so a story that fits no tree gets no suggestion.

Nothing in here knows about a particular tree: everything comes from the tree's text and the
stories in the bank. Inputs are plain data (``TreeSpec``) and lemma lists, so this module needs
neither the database nor spaCy.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import sparse

from verhalenbank.nlp.dutch import MONTHS, STOP_WORDS, WEEKDAYS, split_compound, stem

# --- Tree as plain data ------------------------------------------------------------------------


@dataclass
class IndicatorSpec:
    code: str
    titel: str


@dataclass
class SubdoelSpec:
    code: str
    titel: str
    beschrijving: str = ""
    indicatoren: list[IndicatorSpec] = field(default_factory=list)


@dataclass
class TreeSpec:
    code: str
    titel: str = ""
    hoofddoel: str = ""
    subdoelen: list[SubdoelSpec] = field(default_factory=list)

    @property
    def subdoel_codes(self) -> list[str]:
        return [s.code for s in self.subdoelen]

    def all_texts(self) -> list[str]:
        texts = [self.titel, self.hoofddoel]
        for sub in self.subdoelen:
            texts += [sub.titel, sub.beschrijving or ""]
            texts += [ind.titel for ind in sub.indicatoren]
        return texts


@dataclass
class SubdoelScore:
    code: str
    score: float  # in [0, 1]
    indicator: str | None = None
    indicator_score: float = 0.0


Lemmatiser = Callable[[list[str]], list[list[str]]]

# --- Hyper-parameters (global, not per tree; chosen leave-one-tree-out, see benchmarks) -------

PART_WEIGHT = 0.5  # weight of a compound part relative to the whole word
# Word beginnings as extra features: the stand-in model's weak lemmas and Dutch derivations
# ("wandeling", "wandelaars") still meet on their first letters where stems differ.
PREFIX_LENGTH = 6  # only words longer than this get one; shorter prefixes join unrelated words
PREFIX_WEIGHT = 0.3
FIELD_WEIGHTS = {"titel": 1.0, "indicator": 0.8, "beschrijving": 0.7}
EXPANSION_NEIGHBOURS = 10  # related words per tree word, learned from the bank's stories
EXPANSION_WEIGHT = 0.5  # length of the added related-word part relative to the tree's own words
EXPANSION_MIN_DF = 2  # a related word must occur in at least this many stories
EXPANSION_SHRINK = 3.0
MIN_CORPUS_FOR_FEEDBACK = 8
TF_SATURATION = 1.2  # BM25's k1: how fast repeats of a word in a story stop adding weight
SHORT_TEXT_TERMS = 5.0  # a story's similarity counts fully only with well over this many terms
THEME_OWN_WORDS = 0.5  # weight of the tree's titel and hoofddoel beside its subdoelen in the theme
# Judged stories' votes are differences of cosines (mostly within ±0.3): scaled to the range of the
# other calibration features, so the calibrator's regularisation treats them alike. Fixed, not tuned.
VOTE_SCALE = 10.0


# --- Terms ---------------------------------------------------------------------------------------


def is_content_word(lemma: str) -> bool:
    return (
        len(lemma) >= 3
        and lemma.isalpha()
        and lemma not in STOP_WORDS
        and lemma not in MONTHS
        and lemma not in WEEKDAYS
    )


class TermFeaturizer:
    """Turns lemma lists into weighted stem features, compound parts included."""

    def __init__(self, known_words: Iterable[str], part_weight: float = PART_WEIGHT):
        self.known = frozenset(w for w in known_words if is_content_word(w))
        self.part_weight = part_weight
        self._parts_cache: dict[str, list[str]] = {}

    def parts(self, word: str) -> list[str]:
        cached = self._parts_cache.get(word)
        if cached is None:
            cached = [p for p in split_compound(word, self.known) if is_content_word(p)]
            self._parts_cache[word] = cached
        return cached

    def features(self, lemmas: Iterable[str]) -> Counter:
        counts: Counter = Counter()
        for lemma in lemmas:
            if not is_content_word(lemma):
                continue
            self._add(counts, lemma, 1.0)
            for part in self.parts(lemma):
                self._add(counts, part, self.part_weight)
        return counts

    @staticmethod
    def _add(counts: Counter, word: str, weight: float) -> None:
        counts[stem(word)] += weight
        if len(word) > PREFIX_LENGTH:
            # "#" keeps prefix features apart from stems (stems are letters only).
            counts["#" + word[:PREFIX_LENGTH]] += weight * PREFIX_WEIGHT


class CorpusModel:
    """The bank's stories as a TF-IDF matrix over stem features; shared by all trees."""

    def __init__(self, story_lemmas: Sequence[Sequence[str]], extra_lemmas: Sequence[Sequence[str]] = ()):
        vocabulary_words: set[str] = set()
        for lemmas in list(story_lemmas) + list(extra_lemmas):
            vocabulary_words.update(lemmas)
        self.featurizer = TermFeaturizer(vocabulary_words)
        self.index: dict[str, int] = {}
        doc_counts = [self.featurizer.features(lemmas) for lemmas in story_lemmas]
        for counts in doc_counts:
            for term in counts:
                self.index.setdefault(term, len(self.index))
        for lemmas in extra_lemmas:
            for term in self.featurizer.features(lemmas):
                self.index.setdefault(term, len(self.index))
        self.n_docs = len(doc_counts)
        counts_matrix = self._matrix(doc_counts)
        df = np.asarray((counts_matrix > 0).sum(axis=0)).ravel()
        self.df = df
        self.idf = np.log((self.n_docs + 1.0) / (df + 1.0)) + 1.0
        self._term_vectors = None
        self._term_weights = None
        self.doc_matrix = self.weigh(counts_matrix)

    def _matrix(self, doc_counts: Sequence[Counter]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for row, counts in enumerate(doc_counts):
            for term, value in counts.items():
                col = self.index.get(term)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
                    vals.append(value)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(doc_counts), len(self.index)))

    def weigh(self, counts_matrix: sparse.csr_matrix) -> sparse.csr_matrix:
        matrix = counts_matrix.copy().astype(float)
        # BM25-style saturating tf: a word repeated ten times is not ten times as telling, and
        # (unlike 1 + log tf) its weight levels off, so one word a story dwells on cannot carry
        # the match. No length part: rows are normalised to unit length below.
        k1 = TF_SATURATION
        matrix.data = matrix.data * (k1 + 1.0) / (matrix.data + k1)
        matrix = matrix @ sparse.diags(self.idf)
        return _normalise_rows(sparse.csr_matrix(matrix))

    def related_terms(self, columns: Sequence[int], neighbours: int, min_df: int) -> sparse.csr_matrix:
        """For the given term columns, their ``neighbours`` most related terms (rows × all terms).

        Computed only for the terms asked for (a tree's words), so it stays cheap on a big bank.
        """
        if self._term_vectors is None:
            self._term_vectors = _normalise_rows(sparse.csr_matrix(self.doc_matrix.T))
            # Words seen in few stories get unreliable links: shrink them towards zero.
            self._term_weights = sparse.diags(np.where(self.df >= min_df, self.df / (self.df + EXPANSION_SHRINK), 0.0))
        columns = list(columns)
        similarity = sparse.csr_matrix(self._term_vectors[columns] @ self._term_vectors.T @ self._term_weights)
        rows, cols, vals = [], [], []
        for row, column in enumerate(columns):
            start, end = similarity.indptr[row], similarity.indptr[row + 1]
            data = similarity.data[start:end]
            indices = similarity.indices[start:end]
            keep = indices != column
            data, indices = data[keep], indices[keep]
            top = np.argsort(-data)[:neighbours]
            rows.extend([row] * len(top))
            cols.extend(indices[top])
            vals.extend(data[top])
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(columns), similarity.shape[1]))

    def vectorise(self, lemma_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        return self.weigh(self._matrix([self.featurizer.features(l) for l in lemma_lists]))


def _normalise_rows(matrix):
    if sparse.issparse(matrix):
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def _expand(queries: np.ndarray, columns: np.ndarray, related: sparse.csr_matrix) -> np.ndarray:
    """Add related words to query rows; ``related`` has one row per entry of ``columns``."""
    # The related words may add to, but never drown, the tree's own words: the added part
    # gets a fixed share of the query's length.
    added = (sparse.csr_matrix(queries[:, columns]) @ related).toarray()
    added[queries > 0] = 0.0
    return _normalise_rows(queries + EXPANSION_WEIGHT * _normalise_rows(added))


# --- Cold start --------------------------------------------------------------------------------


@dataclass
class _TreeTexts:
    """Lemmatised texts of one tree."""

    subdoel_fields: list[dict[str, list[list[str]]]]
    indicator_lemmas: list[list[list[str]]]
    tree_lemmas: list[list[str]] = field(default_factory=list)  # the tree's titel and hoofddoel


def lemmatise_tree(tree: TreeSpec, lemmatise: Lemmatiser) -> _TreeTexts:
    texts: list[str] = [tree.titel or "", tree.hoofddoel or ""]
    for sub in tree.subdoelen:
        texts.append(sub.titel)
        texts.append(sub.beschrijving or "")
        texts.extend(ind.titel for ind in sub.indicatoren)
    lemmas = iter(lemmatise(texts))
    tree_lemmas = [next(lemmas), next(lemmas)]
    fields, indicators = [], []
    for sub in tree.subdoelen:
        titel = next(lemmas)
        beschrijving = next(lemmas)
        ind_lemmas = [next(lemmas) for _ in sub.indicatoren]
        fields.append({"titel": [titel], "beschrijving": [beschrijving], "indicator": ind_lemmas})
        indicators.append(ind_lemmas)
    return _TreeTexts(subdoel_fields=fields, indicator_lemmas=indicators, tree_lemmas=tree_lemmas)


class ColdStartTagger:
    """Similarity of stories to the subdoelen of one tree: the tree's words, the bank's related
    words and, once people have judged stories for the tree, those examples (Rocchio)."""

    def __init__(
        self,
        tree: TreeSpec,
        tree_texts: _TreeTexts,
        corpus: CorpusModel,
        reference_rows: Sequence[int] | None = None,
    ):
        """``reference_rows``: the bank's stories collected for this tree (rows of ``corpus``, the
        stories of its rondes). In a ronde a coder compares a story with the other stories told
        for the same tree, so the ronde context also standardises over them; with fewer than
        MIN_CORPUS_FOR_FEEDBACK it falls back to the bank. The open context never looks at
        them, and neither looks at other trees: a score does not depend on what else the bank
        holds."""
        self.tree = tree
        self.corpus = corpus
        self.reference_rows = list(reference_rows) if reference_rows is not None else []
        self.codes = tree.subdoel_codes
        self.queries = self._initial_queries(tree_texts)
        self.indicator_queries = self._indicator_queries(tree_texts)
        if corpus.n_docs >= MIN_CORPUS_FOR_FEEDBACK and len(self.codes) > 0:
            self._expand_with_related_words()
        self.theme_query = self._theme_query(tree_texts)
        self.tree_queries = self.queries.copy()
        self.positives = np.zeros(len(self.codes), dtype=int)
        self._example_sums: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._example_docs: np.ndarray | None = None
        self._bank_statistics()

    def _bank_statistics(self) -> None:
        """How similar the bank's stories usually are to each subdoel (for standardising)."""
        self.use_bank_floor = self.corpus.n_docs >= MIN_CORPUS_FOR_FEEDBACK
        if self.use_bank_floor:
            bank_sims = self._similarities(self.corpus.doc_matrix)
            self.bank_mean = np.median(bank_sims, axis=0)
            self.bank_std = bank_sims.std(axis=0) + 1e-6
            theme_sims = self.theme_similarities(self.corpus.doc_matrix)
            self.theme_mean = float(np.median(theme_sims))
            self.theme_std = float(theme_sims.std()) + 1e-6
        else:
            # Too few stories to standardise: a neutral scale for cosine similarities.
            self.bank_mean = np.full(len(self.codes), 0.05)
            self.bank_std = np.full(len(self.codes), 0.05)
            self.theme_mean, self.theme_std = 0.05, 0.05
        self.ronde_mean, self.ronde_std = ronde_statistics(
            bank_sims[self.reference_rows] if self.use_bank_floor else None, self.bank_mean, self.bank_std)

    def learn(self, example_matrix, truth: np.ndarray) -> None:
        """Move each subdoel's query towards the stories people gave it and away from the stories
        they judged for this tree without it (Rocchio). The tree's own words stay the prior, so a
        few examples nudge and many examples lead."""
        truth = np.asarray(truth, dtype=bool).reshape(-1, len(self.codes))
        dense = example_matrix.toarray() if sparse.issparse(example_matrix) else np.asarray(example_matrix)
        positive_sums = truth.T.astype(float) @ dense
        negative_sums = (~truth).T.astype(float) @ dense
        self._example_sums = (dense, truth, positive_sums, negative_sums)
        self.positives = truth.sum(axis=0).astype(int)
        self._example_docs = _normalise_rows(dense)
        self.queries = self._rocchio(positive_sums, negative_sums, truth.sum(axis=0), (~truth).sum(axis=0))
        self._bank_statistics()

    def _rocchio(self, positive_sums, negative_sums, n_pos, n_neg) -> np.ndarray:
        n_pos = np.asarray(n_pos, dtype=float)[:, None]
        n_neg = np.asarray(n_neg, dtype=float)[:, None]
        pos_weight = ROCCHIO_POSITIVE * n_pos / (n_pos + ROCCHIO_EVIDENCE)
        neg_weight = ROCCHIO_NEGATIVE * n_neg / (n_neg + ROCCHIO_EVIDENCE)
        moved = (
            self.tree_queries
            + pos_weight * _normalise_rows(positive_sums)
            - neg_weight * _normalise_rows(negative_sums)
        )
        return _normalise_rows(np.maximum(moved, 0.0))

    def example_votes(self, doc_matrix, exclude: Sequence[int | None]) -> np.ndarray:
        """Per (story, subdoel): how much closer the story is to the judged stories given this
        subdoel than to the judged stories not given it (nearest of each), weighed by how many
        stories were given it. 0 while nobody judged stories for the tree. ``exclude``: per
        story, its own row among the examples (it never votes for itself), or None."""
        n, m = doc_matrix.shape[0], len(self.codes)
        if self._example_docs is None or not m:
            return np.zeros((n, m))
        _, truth, _, _ = self._example_sums
        near = np.asarray(doc_matrix @ self._example_docs.T)
        near = np.maximum(near, 0.0)
        own = np.zeros_like(near, dtype=bool)
        for row, example_row in enumerate(exclude):
            if example_row is not None:
                own[row, example_row] = True
        near[own] = 0.0
        votes = np.zeros((n, m))
        for j in range(m):
            given = truth[:, j]
            closest_given = near[:, given].max(axis=1) if given.any() else np.zeros(n)
            closest_other = near[:, ~given].max(axis=1) if (~given).any() else np.zeros(n)
            n_given = given.sum() - (own[:, given].sum(axis=1) if given.any() else 0)
            evidence = n_given / (n_given + ROCCHIO_EVIDENCE)
            votes[:, j] = evidence * (closest_given - closest_other)
        return votes

    def queries_without(self, example_row: int) -> np.ndarray:
        """The queries as if one judged story had not been judged (so it never teaches itself)."""
        dense, truth, positive_sums, negative_sums = self._example_sums
        own = dense[example_row]
        is_pos = truth[example_row]
        pos = positive_sums - np.outer(is_pos, own)
        neg = negative_sums - np.outer(~is_pos, own)
        return self._rocchio(pos, neg, truth.sum(axis=0) - is_pos, (~truth).sum(axis=0) - ~is_pos)

    def _field_vector(self, lemma_lists: list[list[str]]) -> Counter:
        total: Counter = Counter()
        for lemmas in lemma_lists:
            total.update(self.corpus.featurizer.features(lemmas))
        return total

    def _dense(self, counts: Counter) -> np.ndarray:
        vec = np.zeros(len(self.corpus.index))
        for term, value in counts.items():
            col = self.corpus.index.get(term)
            if col is not None:
                vec[col] += value
        return vec

    def _initial_queries(self, texts: _TreeTexts) -> np.ndarray:
        n_sub = len(texts.subdoel_fields)
        raw = np.zeros((n_sub, len(self.corpus.index)))
        for i, fields in enumerate(texts.subdoel_fields):
            for name, weight in FIELD_WEIGHTS.items():
                counts = self._field_vector(fields.get(name, []))
                vec = self._dense(counts)
                # Binary within a field: repetition in a description is style, not emphasis.
                raw[i] += weight * np.minimum(vec, 1.0)
        # Words shared by every subdoel (e.g. the target group) do not tell them apart.
        df_sub = (raw > 0).sum(axis=0)
        specificity = np.where(df_sub > 0, np.log(1.0 + n_sub / np.maximum(df_sub, 1)) / math.log(1.0 + n_sub), 0.0)
        if n_sub == 1:
            specificity = np.ones_like(specificity)
        queries = raw * self.corpus.idf * specificity
        return _normalise_rows(queries)

    def _theme_query(self, texts: _TreeTexts) -> np.ndarray:
        """The tree as a whole: its titel, hoofddoel and every subdoel's words, each word once.

        A story can be about the tree's theme while matching no single subdoel well, or match
        one subdoel's word by chance while being about something else entirely; this tells the
        two apart."""
        words = np.minimum(self._dense(self._field_vector(texts.tree_lemmas)), 1.0)
        own = _normalise_rows((words * self.corpus.idf)[None, :])
        subdoelen = self.queries.mean(axis=0, keepdims=True) if len(self.codes) else np.zeros_like(own)
        return _normalise_rows(_normalise_rows(subdoelen) + THEME_OWN_WORDS * own)

    def theme_similarities(self, doc_matrix) -> np.ndarray:
        """Similarity of each story to the tree as a whole (see ``_theme_query``)."""
        return self.similarities_with(doc_matrix, self.theme_query)[:, 0]

    def _indicator_queries(self, texts: _TreeTexts) -> list[np.ndarray]:
        result = []
        for ind_lists in texts.indicator_lemmas:
            rows = [self._dense(self._field_vector([lemmas])) * self.corpus.idf for lemmas in ind_lists]
            result.append(_normalise_rows(np.array(rows)) if rows else np.zeros((0, len(self.corpus.index))))
        return result

    def _expand_with_related_words(self) -> None:
        """Add words that the bank's stories use together with the tree's words.

        Two words are related when they occur in the same stories (cosine of their TF-IDF
        columns); only words found in several stories count, so one story can't make a link.
        """
        columns = np.where(self.queries.sum(axis=0) > 0)[0]
        if len(columns) == 0:
            return
        related = self.corpus.related_terms(columns, EXPANSION_NEIGHBOURS, EXPANSION_MIN_DF)
        # The related words may add to, but never drown, the tree's own words: the added part
        # gets a fixed share of the query's length.
        self.queries = _expand(self.queries, columns, related)
        # Indicators too, so a story about "de wandelgroep" finds "wandelen of fietsen".
        self.indicator_queries = [
            _expand(queries, columns, related) if len(queries) else queries for queries in self.indicator_queries
        ]

    def _similarities(self, doc_matrix) -> np.ndarray:
        sims = np.asarray(doc_matrix @ self.queries.T).reshape(doc_matrix.shape[0], self.queries.shape[0])
        if SHORT_TEXT_TERMS:
            # Cosine similarity flatters very short texts ("test test, werkt dit formulier?"
            # shares one word with a subdoel and looks very similar): shrink by the evidence.
            terms = np.asarray(sparse.csr_matrix(doc_matrix).getnnz(axis=1), dtype=float)
            sims = sims * (terms / (terms + SHORT_TEXT_TERMS))[:, None]
        return sims

    def similarities_with(self, doc_matrix, queries: np.ndarray) -> np.ndarray:
        saved, self.queries = self.queries, queries
        try:
            return self._similarities(doc_matrix)
        finally:
            self.queries = saved

    def best_indicators(self, doc_matrix) -> list[list[tuple[str | None, float]]]:
        result = []
        dense_docs = doc_matrix.toarray() if sparse.issparse(doc_matrix) else doc_matrix
        for row in dense_docs:
            per_sub = []
            for sub, queries in zip(self.tree.subdoelen, self.indicator_queries):
                if len(queries) == 0:
                    per_sub.append((None, 0.0))
                    continue
                sims = queries @ row
                k = int(np.argmax(sims))
                # No shared word with any indicator: name none rather than the first one.
                per_sub.append((sub.indicatoren[k].code, float(sims[k])) if sims[k] > 0 else (None, 0.0))
            result.append(per_sub)
        return result


# A subdoel that fewer of the ronde's stories than this share a word with has no spread among
# them to standardise by (a story touching it by one stray word would stand out by thousands of
# standard deviations): it is standardised over the bank instead. Fixed, not tuned.
MIN_RONDE_STORIES_PER_SUBDOEL = 3


def ronde_statistics(ronde_sims: np.ndarray | None, bank_mean: np.ndarray, bank_std: np.ndarray):
    """(centre, spread) per subdoel of the similarities of the stories told for a tree, for the
    ronde context; the bank's where the ronde has fewer than MIN_CORPUS_FOR_FEEDBACK stories, or
    fewer than MIN_RONDE_STORIES_PER_SUBDOEL sharing a word with the subdoel."""
    if ronde_sims is None or len(ronde_sims) < MIN_CORPUS_FOR_FEEDBACK:
        return bank_mean, bank_std
    enough = (ronde_sims > 0).sum(axis=0) >= MIN_RONDE_STORIES_PER_SUBDOEL
    mean = np.where(enough, np.median(ronde_sims, axis=0), bank_mean)
    std = np.where(enough, ronde_sims.std(axis=0) + 1e-6, bank_std)
    return mean, std


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50.0, 50.0)))


# --- Calibrated probability ----------------------------------------------------------------------
#
# A score is the estimated probability that a careful human coder gives the story this subdoel.
# It comes from a small logistic calibrator over features of one (story, subdoel) pair that look
# only at the subdoel's own tree and the bank's stories, never at how many other trees the bank
# holds. Which features count is chosen on the development trees in benchmarks/data, one tree
# left out at a time; the coefficients and thresholds are then fitted on those and on the example
# trees (benchmarks/fit_tagger_calibration.py). A feature with coefficient 0 was not chosen.

CALIBRATION_FEATURES = (
    "z_bank", "relative", "is_best", "margin", "similarity", "z_theme", "example_vote",
    # The same story among the stories told for this tree (ronde context, see ColdStartTagger):
    # standardised similarity, closeness to the story's best subdoel on that scale, and whether
    # the subdoel is among the story's two best (a story is about one or two subdoelen of a tree).
    "z_ronde", "relative_ronde", "top_two",
)
# Two contexts, each with its own coefficients: "ronde" when the story was collected in a ronde
# of this tree (a coder would look for a subdoel of this tree), "open" when the story has no
# ronde and is scored against every tree of the bank. Neither depends on the other trees.
# BEGIN CALIBRATION (written by benchmarks/fit_tagger_calibration.py --write)
CALIBRATION = {
    "ronde": ((0.2168, 0.4335, 0.0894, 0.4589, 1.42, 0.0, 0.0, 0.0, 0.0, 0.0), -2.3853),
    "open": ((0.5759, -0.0113, 0.0982, 0.1051, 1.6564, 0.0, 0.0, 0.0, 0.0, 0.0), -4.3016),
}
SUGGEST_THRESHOLDS = {"ronde": 0.25, "open": 0.25}
ROCCHIO_POSITIVE = 0.25
ROCCHIO_NEGATIVE = 0.0
# END CALIBRATION
RONDE, OPEN = "ronde", "open"
# Every stored suggestion reaches at least this probability (the display threshold).
SUGGEST_THRESHOLD = min(SUGGEST_THRESHOLDS.values())
DEFAULT_THRESHOLD = SUGGEST_THRESHOLD  # old name


def suggest_threshold(context: str = "open") -> float:
    """From this probability on a suggestion is stored: the F1-best cut-off on the development and
    example trees, per context (in a ronde a story is known to be about this tree's theme)."""
    return SUGGEST_THRESHOLDS[context]

# Learning from judged stories (Rocchio): ROCCHIO_POSITIVE and ROCCHIO_NEGATIVE (above) say how
# far examples can move a subdoel's query; they weigh half at this many examples.
ROCCHIO_EVIDENCE = 3.0


def calibration_features(
    sims: np.ndarray,
    bank_mean: np.ndarray,
    bank_std: np.ndarray,
    theme_z: np.ndarray | None = None,
    example_vote: np.ndarray | None = None,
    ronde_mean: np.ndarray | None = None,
    ronde_std: np.ndarray | None = None,
) -> np.ndarray:
    """Features per (story, subdoel): stories × subdoelen × len(CALIBRATION_FEATURES).

    ``theme_z``: per story, its similarity to the tree as a whole, standardised over the bank;
    ``example_vote``: per (story, subdoel), what the stories people judged say (0 before any);
    ``ronde_mean``/``ronde_std``: the similarities of the stories told for this tree (default:
    the bank's)."""
    sims = np.asarray(sims, dtype=float)
    n, m = sims.shape
    z = np.clip((sims - bank_mean) / bank_std, -4.0, 8.0)
    theme = np.zeros((n, m))
    if theme_z is not None:
        theme[:] = np.clip(np.asarray(theme_z, dtype=float), -4.0, 8.0)[:, None]
    top = sims.max(axis=1, keepdims=True) if m else np.zeros((n, 1))
    relative = np.where(top > 0, sims / np.where(top > 0, top, 1.0), 0.0)
    if m > 1:
        order = np.sort(z, axis=1)
        best, second = order[:, -1:], order[:, -2:-1]
        is_best = (z >= best) & (sims > 0)
        # Best subdoel: how far it leads the next; others: how far they trail the best.
        margin = np.where(is_best, z - second, z - best)
    else:
        is_best = sims > 0
        margin = z
    margin = np.clip(margin, -6.0, 6.0)
    similarity = np.sqrt(np.maximum(sims, 0.0)) * 3.0
    votes = np.zeros((n, m)) if example_vote is None else np.asarray(example_vote, dtype=float) * VOTE_SCALE
    z_ronde, relative_ronde, top_two = _ronde_features(
        sims, bank_mean if ronde_mean is None else ronde_mean, bank_std if ronde_std is None else ronde_std)
    return np.stack([z, relative, is_best.astype(float), margin, similarity, theme, votes,
                     z_ronde, relative_ronde, top_two], axis=2)


def _ronde_features(sims: np.ndarray, mean: np.ndarray, std: np.ndarray):
    """z among the stories told for the tree, closeness to the story's best subdoel on that scale
    (1 for the best), and whether the subdoel is among the story's two best."""
    n, m = sims.shape
    z = np.clip((sims - mean) / std, -4.0, 8.0)
    if not m:
        return z, z.copy(), z.copy()
    top = z.max(axis=1, keepdims=True)
    relative = 1.0 + (z - top) / np.maximum(np.abs(top), 1.0)
    second = np.sort(z, axis=1)[:, -2:-1] if m > 2 else np.full((n, 1), -np.inf)
    top_two = (z >= second) & (sims > 0)
    return z, relative, top_two.astype(float)


def calibrated_probability(
    features: np.ndarray, sims: np.ndarray, context: str | Sequence[str] = OPEN, calibration: dict | None = None
) -> np.ndarray:
    """Probability per (story, subdoel); ``context`` per story or one for all (RONDE or OPEN)."""
    calibration = CALIBRATION if calibration is None else calibration
    contexts = [context] * features.shape[0] if isinstance(context, str) else list(context)
    logits = np.zeros(features.shape[:2])
    for name in set(contexts):
        rows = np.array([c == name for c in contexts], dtype=bool)
        coef, intercept = calibration[name]
        logits[rows] = features[rows] @ np.asarray(coef, dtype=float) + float(intercept)
    p = _sigmoid(logits)
    # A story that shares no word at all with a subdoel is never about it.
    return np.where(np.asarray(sims) > 0.0, p, 0.0)


# --- Judged stories ---------------------------------------------------------------------------


@dataclass
class TreeExamples:
    """Stories people judged for one tree: their lemmas and which subdoelen they gave them.

    A row without any subdoel is a story judged "geen van deze" for the tree. ``keys`` (e.g.
    story ids) let the scorer leave a story out of its own examples.
    """

    lemmas: list[list[str]]
    truth: np.ndarray
    keys: list | None = None

    def __len__(self) -> int:
        return len(self.lemmas)


# --- Scoring a tree -----------------------------------------------------------------------------


class TreeScorer:
    """Everything needed to score stories against one tree, as calibrated probabilities."""

    def __init__(
        self,
        tree: TreeSpec,
        lemmatise: Lemmatiser,
        corpus: CorpusModel,
        reference_rows: Sequence[int] | None = None,
        examples: TreeExamples | None = None,
    ):
        self.tree = tree
        self.codes = tree.subdoel_codes
        self.corpus = corpus
        self.cold = ColdStartTagger(tree, lemmatise_tree(tree, lemmatise), corpus, reference_rows)
        self.examples = examples
        self._example_row: dict = {}
        if examples is not None and len(examples) and len(self.codes):
            self.cold.learn(corpus.vectorise(examples.lemmas), examples.truth)
            self._example_row = {k: i for i, k in enumerate(examples.keys or [])}

    def threshold(self, code: str | None = None, context: str = OPEN) -> float:
        return suggest_threshold(context)

    def features(self, doc_matrix, keys: Sequence | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Calibration features and similarities for stories (rows of ``doc_matrix``)."""
        sims = self.cold._similarities(doc_matrix)
        own_rows: list[int | None] = [None] * doc_matrix.shape[0]
        if keys is not None and self._example_row:
            for row, key in enumerate(keys):
                example_row = self._example_row.get(key)
                if example_row is not None:
                    own_rows[row] = example_row
                    queries = self.cold.queries_without(example_row)
                    sims[row] = self.cold.similarities_with(doc_matrix[row], queries)[0]
        theme_z = (self.cold.theme_similarities(doc_matrix) - self.cold.theme_mean) / self.cold.theme_std
        votes = self.cold.example_votes(doc_matrix, own_rows)
        return calibration_features(sims, self.cold.bank_mean, self.cold.bank_std, theme_z, votes,
                                    self.cold.ronde_mean, self.cold.ronde_std), sims

    def probabilities(
        self, lemma_lists: Sequence[Sequence[str]], keys: Sequence | None = None, context: str | Sequence[str] = OPEN
    ) -> np.ndarray:
        features, sims = self.features(self.corpus.vectorise(lemma_lists), keys)
        return calibrated_probability(features, sims, context)

    # Old name: the scores are calibrated whether or not people judged stories yet.
    cold_scores = probabilities

    def score(
        self, lemma_lists: Sequence[Sequence[str]], keys: Sequence | None = None, context: str | Sequence[str] = OPEN
    ) -> list[list[SubdoelScore]]:
        """Scores per story and subdoel. ``keys`` (e.g. story ids) leave a judged story out of its
        own examples; ``context`` is RONDE for stories collected for this tree, else OPEN."""
        doc_matrix = self.corpus.vectorise(lemma_lists)
        features, sims = self.features(doc_matrix, keys)
        scores = calibrated_probability(features, sims, context)
        indicators = self.cold.best_indicators(doc_matrix)
        return [
            [
                SubdoelScore(code=c, score=float(np.clip(s, 0.0, 1.0)), indicator=ind, indicator_score=ind_s)
                for c, s, (ind, ind_s) in zip(self.codes, row, per_sub)
            ]
            for row, per_sub in zip(scores, indicators)
        ]
