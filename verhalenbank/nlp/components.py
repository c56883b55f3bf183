"""The project's custom spaCy components; the one place where they are registered.

* ``verhalenbank_pseudonimisering`` sets ``doc._.tekst_publiek`` (placeholders instead of names,
  phone numbers, addresses …) and ``doc._.pii`` (what was replaced, for the next component).
* ``verhalenbank_trefwoorden`` sets ``doc._.lemmas`` (cleaned lemmas without the replaced parts)
  and ``doc._.trefwoorden`` (keywords: frequent content lemmas and noun phrases).
"""

from __future__ import annotations

from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc

from verhalenbank.nlp.dutch import MONTHS, STOP_WORDS, WEEKDAYS, clean_lemma
from verhalenbank.nlp.normalise import normalise
from verhalenbank.nlp.pseudonymise import PersonRegistry, pseudonymise

PSEUDONYMISER = "verhalenbank_pseudonimisering"
# doc.user_data key: the Normalised text a doc was made from (see make_docs).
SOURCE = "verhalenbank_bron"
KEYWORDS = "verhalenbank_trefwoorden"
MAX_KEYWORDS = 10
_KEYWORD_POS = {"NOUN", "PROPN", "ADJ", "VERB"}
_NOT_KEYWORDS = STOP_WORDS | MONTHS | WEEKDAYS

for _name in ("tekst_publiek", "pii", "lemmas", "trefwoorden"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class Pseudonymiser:
    def __init__(self, nlp: Language):
        # Snapshot of the pipeline's own vocabulary, taken before any story passes through
        # (processing adds every word it sees to the string store).
        # spaCy's Dutch stop words too: a blank pipeline's vocabulary knows almost no words, and
        # sentence-initial "Elke", "Na" are also first names.
        from spacy.lang.nl.stop_words import STOP_WORDS as SPACY_STOP_WORDS

        self.common_words = frozenset(s.lower() for s in nlp.vocab.strings if s.isalpha()) | SPACY_STOP_WORDS | STOP_WORDS
        self.use_entities = "ner" in nlp.pipe_names

    def __call__(self, doc: Doc, registry: PersonRegistry | None = None) -> Doc:
        result = pseudonymise(doc, registry, self.use_entities, self.common_words, doc.user_data.get(SOURCE))
        doc._.tekst_publiek = result.text
        doc._.pii = result
        return doc


class KeywordExtractor:
    def __init__(self, nlp: Language):
        self.has_pos = any(p in nlp.pipe_names for p in ("morphologizer", "tagger"))

    def __call__(self, doc: Doc) -> Doc:
        pii = doc._.pii
        covered: set[int] = set()
        if pii is not None and pii.replaced:
            for start, end, _ in pii.replaced:
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is not None:
                    covered.update(range(span.start, span.end))
        lemmas: list[str] = []
        counts: Counter = Counter()
        first_seen: dict[str, int] = {}
        shown: dict[str, str] = {}
        phrase: list[tuple[str, str]] = []  # running ADJ* NOUN+ sequence: (word, pos)

        def close_phrase() -> None:
            if len(phrase) >= 2 and phrase[-1][1] == "NOUN":
                text = " ".join(word for word, _ in phrase)
                counts[text] += 1.2
                first_seen.setdefault(text, len(lemmas))
            phrase.clear()

        # One pass over the tokens: lemmas for search/tagging, keyword candidates, and simple
        # noun phrases (adjectives followed by nouns) from the POS tags, cheaper than a parse.
        for token in doc:
            text = token.text
            if token.i in covered or not any(ch.isalpha() for ch in text):
                close_phrase()
                continue
            lemma = clean_lemma(token.lemma_, text)
            lemmas.append(lemma)
            pos = token.pos_
            if self.has_pos:
                if pos == "ADJ" and not any(p == "NOUN" for _, p in phrase):
                    phrase.append((text.lower(), pos))
                elif pos == "NOUN" and lemma not in STOP_WORDS and len(phrase) < 3:
                    phrase.append((text.lower(), pos))
                else:
                    close_phrase()
                    if pos == "ADJ":
                        phrase.append((text.lower(), pos))
            if len(lemma) < 3 or not lemma.isalpha() or lemma in _NOT_KEYWORDS:
                continue
            if self.has_pos and pos not in _KEYWORD_POS:
                continue
            # Nouns say more about what a story is about than verbs.
            counts[lemma] += 1.5 if pos in ("NOUN", "PROPN") else 1.0
            first_seen.setdefault(lemma, len(lemmas))
            # Counted per lemma, shown as the word as written (small models' lemmas can be odd).
            shown.setdefault(lemma, text.lower())
        close_phrase()
        doc._.lemmas = lemmas
        ranked = sorted(counts, key=lambda k: (-counts[k], first_seen[k]))
        keywords = list(dict.fromkeys(shown.get(k, k) for k in ranked))
        doc._.trefwoorden = keywords[:MAX_KEYWORDS]
        return doc


@Language.factory(PSEUDONYMISER)
def make_pseudonymiser(nlp: Language, name: str) -> Pseudonymiser:
    return Pseudonymiser(nlp)


@Language.factory(KEYWORDS)
def make_keyword_extractor(nlp: Language, name: str) -> KeywordExtractor:
    return KeywordExtractor(nlp)


def make_docs(nlp: Language, texts):
    """Docs of the texts as the pseudonymiser should match them (zero-width and bidi characters
    out, NFKC), each remembering its original so the public text is built from what is shown.
    Feed them to ``nlp.pipe``."""
    for text in texts:
        source = normalise(text)
        doc = nlp.make_doc(source.text)
        if not source.unchanged:
            doc.user_data[SOURCE] = source
        yield doc


def add_custom_components(nlp: Language) -> None:
    if PSEUDONYMISER not in nlp.pipe_names:
        nlp.add_pipe(PSEUDONYMISER, last=True)
    if KEYWORDS not in nlp.pipe_names:
        nlp.add_pipe(KEYWORDS, last=True)
