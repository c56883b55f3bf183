"""Auto-tagging of stories against a doelenboom.

Two parts, blended per subdoel by the amount of evidence:

* **Cold start** (``ColdStartTagger``): from the tree's own words only. Subdoel titles, descriptions
  and indicator titles are lemmatised, stemmed (plus word beginnings) and split into compound
  parts, weighted by how specific a word is to one subdoel of the tree, and expanded with what
  the bank's own stories teach: pseudo-relevance feedback (the stories that match a subdoel best
  lend it their other words, and the stories of the sibling subdoelen push theirs away). Scores
  are made comparable across subdoelen by standardising each subdoel's similarities over the bank.
* **Learned** (``LearnedTagger``): a scikit-learn logistic regression per subdoel on confirmed tags,
  with a per-subdoel threshold tuned by cross-validation.

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
RELATIVE_MIN = 0.6  # a subdoel must come this close to the story's best subdoel (0 = far, 1 = equal)
Z_BANK_MIN = 0.0  # ... and be above the whole bank's average story for that subdoel
Z_MIN = -1.0  # ... and not lie far below the average story for it (in standard deviations)
MAX_PER_STORY = 2  # ... and be among the story's best this many subdoelen of the tree
MIN_CORPUS_FOR_FEEDBACK = 8
TF_SATURATION = 1.2  # BM25's k1: how fast repeats of a word in a story stop adding weight
SHORT_TEXT_TERMS = 5.0  # a story's similarity counts fully only with well over this many terms


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


def lemmatise_tree(tree: TreeSpec, lemmatise: Lemmatiser) -> _TreeTexts:
    texts: list[str] = []
    for sub in tree.subdoelen:
        texts.append(sub.titel)
        texts.append(sub.beschrijving or "")
        texts.extend(ind.titel for ind in sub.indicatoren)
    lemmas = iter(lemmatise(texts))
    fields, indicators = [], []
    for sub in tree.subdoelen:
        titel = next(lemmas)
        beschrijving = next(lemmas)
        ind_lemmas = [next(lemmas) for _ in sub.indicatoren]
        fields.append({"titel": [titel], "beschrijving": [beschrijving], "indicator": ind_lemmas})
        indicators.append(ind_lemmas)
    return _TreeTexts(subdoel_fields=fields, indicator_lemmas=indicators)


class ColdStartTagger:
    """Scores stories against one tree using only the tree's words and the bank's stories."""

    def __init__(
        self,
        tree: TreeSpec,
        tree_texts: _TreeTexts,
        corpus: CorpusModel,
        reference_rows: Sequence[int] | None = None,
    ):
        """``reference_rows``: the bank stories this tree is normally applied to (the stories of
        its rondes); scores are standardised over them when there are enough, else over the bank."""
        self.tree = tree
        self.corpus = corpus
        self.codes = tree.subdoel_codes
        self.queries = self._initial_queries(tree_texts)
        self.indicator_queries = self._indicator_queries(tree_texts)
        if corpus.n_docs >= MIN_CORPUS_FOR_FEEDBACK and len(self.codes) > 0:
            self._expand_with_related_words()
        bank_sims = self._similarities(corpus.doc_matrix)
        # Whole bank: "does this story stand out for the subdoel at all" (an absolute floor).
        self.bank_mean = bank_sims.mean(axis=0) if corpus.n_docs else np.zeros(len(self.codes))
        self.bank_std = bank_sims.std(axis=0) + 1e-6 if corpus.n_docs else np.ones(len(self.codes))
        if reference_rows is not None and len(reference_rows) >= MIN_CORPUS_FOR_FEEDBACK:
            bank_sims = bank_sims[list(reference_rows)]
        self.use_bank_floor = corpus.n_docs >= MIN_CORPUS_FOR_FEEDBACK
        if corpus.n_docs >= MIN_CORPUS_FOR_FEEDBACK:
            self.mean = bank_sims.mean(axis=0)
            self.std = bank_sims.std(axis=0) + 1e-6
        else:
            # Too few stories to standardise: a neutral scale for cosine similarities.
            self.mean = np.full(len(self.codes), 0.05)
            self.std = np.full(len(self.codes), 0.05)

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
        sims = np.asarray(doc_matrix @ self.queries.T)
        if SHORT_TEXT_TERMS:
            # Cosine similarity flatters very short texts ("test test, werkt dit formulier?"
            # shares one word with a subdoel and looks very similar): shrink by the evidence.
            terms = np.asarray(sparse.csr_matrix(doc_matrix).getnnz(axis=1), dtype=float)
            sims = sims * (terms / (terms + SHORT_TEXT_TERMS))[:, None]
        return sims

    def raw_scores(self, doc_matrix) -> np.ndarray:
        """Standardised similarity (z) per story and subdoel."""
        sims = self._similarities(doc_matrix)
        return (sims - self.mean) / self.std, sims

    def score_matrix(self, doc_matrix) -> np.ndarray:
        z, sims = self.raw_scores(doc_matrix)
        z_bank = (sims - self.bank_mean) / self.bank_std if self.use_bank_floor else None
        scores = cold_scores_from_z(z, z_bank)
        # A story that shares no word at all with a subdoel is never about it; without this,
        # in a small bank (no standardisation yet) such stories scored exactly the threshold.
        return np.where(sims > 0.0, scores, 0.0)

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


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def cold_scores_from_z(z: np.ndarray, z_bank: np.ndarray | None = None) -> np.ndarray:
    """Scores in [0, 1]; ≥ 0.5 exactly when a subdoel does not lie far below the usual stories
    of the tree (z ≥ Z_MIN), is close enough to the story's best subdoel in this tree and among
    its best MAX_PER_STORY, and the story is above the whole bank's average for it
    (z_bank ≥ Z_BANK_MIN), so that a story of another theme does not get a suggestion in every
    tree."""
    if z.size == 0:
        return z
    top = z.max(axis=1, keepdims=True)
    # Relative closeness to the best subdoel, on a scale where RELATIVE_MIN maps to 0.5.
    shifted = z - top  # ≤ 0
    spread = np.maximum(np.abs(top), 1.0)
    relative = 1.0 + shifted / spread  # 1 for the best subdoel
    absolute_part = _sigmoid(2.0 * (z - Z_MIN))
    relative_part = _sigmoid(6.0 * (relative - RELATIVE_MIN))
    scores = np.minimum(absolute_part, relative_part)
    if z_bank is not None:
        scores = np.minimum(scores, _sigmoid(3.0 * (z_bank - Z_BANK_MIN)))
    if z.shape[1] > MAX_PER_STORY:
        # A story is about one or two subdoelen of a tree, rarely more: past its best few,
        # a close call is more often a shared general word than a second theme. Kept just
        # under the threshold, so the order of suggestions stays the same.
        kth_best = -np.sort(-z, axis=1)[:, MAX_PER_STORY - 1 : MAX_PER_STORY]
        scores = np.where(z >= kth_best, scores, np.minimum(scores, 0.49))
    return scores


# --- Learned -----------------------------------------------------------------------------------

BLEND_EVIDENCE = 5.0  # positives at which learned and cold start weigh equally
MIN_POSITIVES_TO_LEARN = 3
MIN_POSITIVES_TO_TUNE_THRESHOLD = 20  # below this a tuned threshold overfits (checked by nested CV)
THRESHOLD_EVIDENCE = 20.0  # a tuned threshold is pulled towards the default by this many examples
DEFAULT_THRESHOLD = 0.5
LEARNED_C = 1.0
STACK_WEIGHT = 0.0  # >0 adds the cold-start scores as features (did not help in nested CV)


def blend_weight(n_positive: int) -> float:
    """How much the learned model counts for a subdoel with ``n_positive`` confirmed stories."""
    if n_positive < MIN_POSITIVES_TO_LEARN:
        return 0.0
    return n_positive / (n_positive + BLEND_EVIDENCE)


def best_threshold(scores: np.ndarray, truth: np.ndarray, default: float = DEFAULT_THRESHOLD) -> float:
    """The score threshold that maximises F1 on (cross-validated) scores; ties → closest to default."""
    if truth.sum() < MIN_POSITIVES_TO_TUNE_THRESHOLD:
        return default
    candidates = np.unique(np.round(scores, 4))
    best, best_key = default, (-1.0, 0.0)
    for threshold in candidates:
        predicted = scores >= threshold
        tp = float((predicted & truth).sum())
        fp = float((predicted & ~truth).sum())
        fn = float((~predicted & truth).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        key = (round(f1, 6), -abs(threshold - default))
        if key > best_key:
            best, best_key = float(threshold), key
    # Put the threshold halfway to the next lower score, so it generalises a little.
    lower = scores[scores < best]
    if len(lower):
        best = (best + float(lower.max())) / 2.0
    # Trust the tuned value in proportion to the evidence behind it.
    n_positive = float(truth.sum())
    best = default + (best - default) * n_positive / (n_positive + THRESHOLD_EVIDENCE)
    return float(min(max(best, 0.05), 0.95))


class LearnedTagger:
    """Per-subdoel logistic regression on confirmed examples, over the same stem features.

    The feature space (vocabulary, idf, compound vocabulary) is frozen at training time and saved
    with the model, so a saved model keeps working while the bank grows.
    """

    def __init__(self, featurizer: TermFeaturizer, index: dict[str, int], idf: np.ndarray):
        self.featurizer = featurizer
        self.index = index
        self.idf = idf
        self.models: dict[str, object] = {}
        self.positives: dict[str, int] = {}
        self.thresholds: dict[str, float] = {}

    @classmethod
    def from_corpus(cls, corpus: CorpusModel) -> "LearnedTagger":
        return cls(corpus.featurizer, dict(corpus.index), corpus.idf.copy())

    def vectorise(self, lemma_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for row, lemmas in enumerate(lemma_lists):
            for term, value in self.featurizer.features(lemmas).items():
                col = self.index.get(term)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
                    vals.append(1.0 + math.log(value) if value > 1 else value)
        matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(lemma_lists), len(self.index)))
        return _normalise_rows(sparse.csr_matrix(matrix @ sparse.diags(self.idf)))

    def _with_cold(self, features, cold: np.ndarray | None):
        """The cold-start scores are features too: with few examples the model can lean on them."""
        if cold is None or STACK_WEIGHT == 0:
            return features
        return sparse.hstack([features, sparse.csr_matrix(STACK_WEIGHT * np.asarray(cold))]).tocsr()

    def fit(self, features: sparse.csr_matrix, labels: dict[str, np.ndarray], cold: np.ndarray | None = None) -> "LearnedTagger":
        from sklearn.linear_model import LogisticRegression

        features = self._with_cold(features, cold)
        self.models.clear()
        for code, truth in labels.items():
            truth = np.asarray(truth, dtype=bool)
            n_pos = int(truth.sum())
            self.positives[code] = n_pos
            if n_pos < MIN_POSITIVES_TO_LEARN or n_pos == len(truth):
                continue
            model = LogisticRegression(C=LEARNED_C, class_weight="balanced", max_iter=2000)
            model.fit(features, truth)
            self.models[code] = model
        return self

    def predict(self, features: sparse.csr_matrix, codes: Sequence[str], cold: np.ndarray | None = None) -> np.ndarray:
        features = self._with_cold(features, cold)
        result = np.zeros((features.shape[0], len(codes)))
        for j, code in enumerate(codes):
            model = self.models.get(code)
            if model is not None:
                result[:, j] = model.predict_proba(features)[:, 1]
        return result

    def blend(self, learned: np.ndarray, cold: np.ndarray, codes: Sequence[str]) -> np.ndarray:
        weights = np.array([blend_weight(self.positives.get(c, 0)) if c in self.models else 0.0 for c in codes])
        return weights * learned + (1.0 - weights) * cold

    def threshold(self, code: str) -> float:
        return self.thresholds.get(code, DEFAULT_THRESHOLD)


# --- Scoring a tree: cold start + learned, with thresholds --------------------------------------


class TreeScorer:
    """Everything needed to score stories against one tree."""

    def __init__(
        self,
        tree: TreeSpec,
        lemmatise: Lemmatiser,
        corpus: CorpusModel,
        reference_rows: Sequence[int] | None = None,
        learned: LearnedTagger | None = None,
    ):
        self.tree = tree
        self.codes = tree.subdoel_codes
        self.corpus = corpus
        self.cold = ColdStartTagger(tree, lemmatise_tree(tree, lemmatise), corpus, reference_rows)
        self.learned = learned

    def threshold(self, code: str) -> float:
        return self.learned.threshold(code) if self.learned else DEFAULT_THRESHOLD

    def cold_scores(self, lemma_lists: Sequence[Sequence[str]]) -> np.ndarray:
        return self.cold.score_matrix(self.corpus.vectorise(lemma_lists))

    def score(self, lemma_lists: Sequence[Sequence[str]]) -> list[list[SubdoelScore]]:
        doc_matrix = self.corpus.vectorise(lemma_lists)
        scores = self.cold.score_matrix(doc_matrix)
        if self.learned is not None and self.learned.models:
            learned = self.learned.predict(self.learned.vectorise(lemma_lists), self.codes, scores)
            scores = self.learned.blend(learned, scores, self.codes)
        indicators = self.cold.best_indicators(doc_matrix)
        result = []
        for row, per_sub in zip(scores, indicators):
            result.append(
                [
                    SubdoelScore(code=c, score=float(np.clip(s, 0.0, 1.0)), indicator=ind, indicator_score=ind_s)
                    for c, s, (ind, ind_s) in zip(self.codes, row, per_sub)
                ]
            )
        return result


def train_learned(
    corpus: CorpusModel,
    lemma_lists: Sequence[Sequence[str]],
    truth: np.ndarray,
    cold: np.ndarray,
    codes: Sequence[str],
    folds: int = 5,
):
    """Train on all confirmed examples; thresholds from out-of-fold blended scores.

    Returns (tagger, figures): figures are nested cross-validation results per subdoel.
    """
    from verhalenbank.nlp.evaluation import cross_validate, out_of_fold_scores, tune_thresholds

    truth = np.asarray(truth, dtype=bool)
    factory = lambda: LearnedTagger.from_corpus(corpus)  # noqa: E731
    tagger = factory()
    features = tagger.vectorise(lemma_lists)
    figures, _ = cross_validate(factory, features, truth, cold, codes, folds=folds)
    oof = out_of_fold_scores(factory, features, truth, cold, codes, folds)
    tagger.fit(features, {c: truth[:, j] for j, c in enumerate(codes)}, cold)
    tagger.thresholds = tune_thresholds(oof, truth, codes)
    for figure in figures:
        figure.drempel = round(tagger.thresholds[figure.code], 3)
    return tagger, figures
