"""The pack's own words are plain Dutch (B1): short sentences, no jargon of the tagger or of
policy notes. Measured on the text the app writes (the four moves and the participants'
summary) for every example ronde; the residents' own quotes are theirs and are not measured."""

from __future__ import annotations

import re
import statistics

from tests.pakketten.voorbeelden import BOMEN, invoer_voor_ronde
from verhalenbank.pakketten.samenstellen import bouw_pakket

# Words a B1 reader does not know, or that belong to the app's inside.
JARGON = ("subdoel", "indicator", "representatief", "tegengeluid", "lemma", "cluster", "tf-idf", "score",
          "classificatie", "outcome", "respondent", "monitoring", "significant")
CITAAT = re.compile(r"‘[^’]*’")


def _eigen_zinnen(slug: str) -> list[str]:
    inhoud = bouw_pakket(invoer_voor_ronde(slug))
    teksten = list(inhoud.samenvatting)
    for boom in inhoud.bomen:
        for sectie in boom.subdoelen:
            for beweging in sectie.bewegingen:
                teksten += [beweging.uitleg, *beweging.vragen]
    # A quoted goal or resident's word counts as one word: the sentence around it is measured.
    return [z for t in teksten for z in re.split(r"(?<=[.!?])\s+", CITAAT.sub("X", t)) if z.strip()]


def test_the_packs_own_sentences_are_short_and_free_of_jargon():
    for slug in BOMEN:
        zinnen = _eigen_zinnen(slug)
        lengtes = [len(z.split()) for z in zinnen]
        assert len(zinnen) >= 40, slug
        assert max(lengtes) <= 20, (slug, max(zip(lengtes, zinnen)))
        assert statistics.mean(lengtes) <= 12, slug
        woorden = {w.lower() for z in zinnen for w in re.findall(r"[\w-]+", z)}
        assert not [w for w in woorden if w.startswith(JARGON)], slug
