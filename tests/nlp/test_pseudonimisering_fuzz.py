"""Fuzzing the pseudonymiser: sentences built from the words its rules look at (names that are
also words, possessives, particles, list words, places after "in", lower and upper case).

Invariants, whatever the sentence:
- it never raises;
- nothing is invented or moved: the text between the placeholders is, in order, the original
  text with the replaced stretches cut out;
- every placeholder stands for a stretch of at least one character (no empty replacement, e.g.
  from taking a possessive ending off a name).

Derandomised with a fixed budget, like tests/fuzz/test_invoer.py.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verhalenbank.nlp.components import PSEUDONYMISER
from verhalenbank.nlp.pipeline import get_pipeline
from verhalenbank.nlp.pseudonymise import pseudonymise

VOORBEELDEN = int(os.environ.get("VERHALENBANK_FUZZ_VOORBEELDEN", "25")) * 4
WOORDEN = (
    "Esra", "esra", "Esra's", "Ahmed", "Ahmeds", "Mila's", "Jumbo's", "Floris", "Roos", "roos", "Bas'",
    "Anna", "anna", "maria", "kopciuch", "yilmaz", "Yılmaz", "Jurensley", "Humanitas", "Khmer",
    "van", "Van", "de", "De", "der", "El", "en", "of", ",", ".", "'s", "'", "’s", "in", "uit", "met",
    "mevrouw", "mijn", "buurvrouw", "hong", "kong", "Keulen", "zei", "kwam", "belde", "helpt",
    "rozen", "dure", "koffie", "Mohammeds", "Kees", "sahbi", "Sharella", "\n", "06-12345678",
)
FUZZ = settings(
    max_examples=VOORBEELDEN,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PLAATSHOUDER = re.compile(r"\[(?:naam \d+|telefoonnummer|e-mail|postcode|adres|bsn|iban)\]")


def _component():
    nlp = get_pipeline().nlp
    return nlp, nlp.get_pipe(PSEUDONYMISER), [n for n in nlp.pipe_names if n.startswith("verhalenbank_")]


@FUZZ
@given(st.lists(st.sampled_from(WOORDEN), min_size=1, max_size=14))
def test_pseudonymiser_never_invents_or_moves_text(woorden):
    tekst = " ".join(woorden)
    nlp, component, disable = _component()
    doc = nlp(tekst, disable=disable)
    result = pseudonymise(doc, None, component.use_entities, component.common_words)
    for start, end, _kind in result.replaced:
        assert 0 <= start < end <= len(tekst), (tekst, result.replaced)
    # The pieces between placeholders are the original text, in order, with the replaced parts cut.
    kept = [tekst[a:b] for a, b in zip([0] + [e for _, e, _ in result.replaced], [s for s, _, _ in result.replaced] + [len(tekst)])]
    assert PLAATSHOUDER.split(result.text) == kept, (tekst, result.text)
