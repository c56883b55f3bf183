"""Auto-tagging: cold start on a tree made up here, compounds, learning, metrics."""

from __future__ import annotations

import numpy as np
import pytest

from verhalenbank.nlp import tagger as T
from verhalenbank.nlp.analysis import lemmatise
from verhalenbank.nlp.dutch import split_compound, stem
from verhalenbank.nlp.evaluation import cohen_kappa, cross_validate, precision_recall_f1

# A tree nobody wrote rules for: sport, debts, and language.
TREE = T.TreeSpec(
    code="test-boom",
    titel="Meedoen in Testdorp",
    hoofddoel="Inwoners van Testdorp doen mee.",
    subdoelen=[
        T.SubdoelSpec(
            "SP",
            "Inwoners sporten en bewegen meer",
            "Meer inwoners sporten wekelijks bij een vereniging of bewegen buiten.",
            [T.IndicatorSpec("SP.1", "Inwoners zijn lid van een sportvereniging"),
             T.IndicatorSpec("SP.2", "Inwoners wandelen of fietsen vaker")],
        ),
        T.SubdoelSpec(
            "GE",
            "Inwoners hebben minder schulden",
            "Inwoners met geldzorgen krijgen hulp bij hun schulden en rekeningen.",
            [T.IndicatorSpec("GE.1", "Inwoners betalen hun rekeningen op tijd")],
        ),
        T.SubdoelSpec(
            "TA",
            "Inwoners spreken beter Nederlands",
            "Nieuwkomers leren de Nederlandse taal in een taalcafé of bij een taalmaatje.",
            [],
        ),
    ],
)

STORIES = [
    ("SP", "Sinds ik lid ben van de voetbalvereniging sport ik twee keer per week. Mijn conditie is veel beter."),
    ("SP", "Met de wandelgroep lopen we elke ochtend een rondje door het park. Bewegen doet me goed."),
    ("SP", "Mijn zoon zit nu op zwemles en op de sportclub. Hij sport graag."),
    ("SP", "Ik fiets nu elke dag naar mijn werk in plaats van met de auto, dat beweegt lekker."),
    ("GE", "We hadden grote schulden en de rekeningen stapelden zich op. De schuldhulp heeft ons geholpen."),
    ("GE", "Door de geldzorgen sliep ik slecht. Nu betaal ik mijn rekening op tijd dankzij de budgetcoach."),
    ("GE", "Ik kon de huur niet betalen en had een schuld bij de energiemaatschappij."),
    ("GE", "De vrijwilliger van de schuldhulpverlening hielp mij met mijn geld en mijn administratie."),
    ("TA", "In het taalcafé oefen ik elke week Nederlands praten. Mijn taalmaatje helpt mij."),
    ("TA", "Ik kom uit Syrië en leer nu de Nederlandse taal. Ik spreek al beter met de buren."),
    ("TA", "Mijn taalles is op dinsdag. Ik leer nieuwe woorden en spreek beter Nederlands."),
    ("TA", "Als nieuwkomer vond ik de taal moeilijk, maar in de taalgroep leer ik snel."),
]


@pytest.fixture(scope="module")
def story_lemmas():
    return lemmatise([text for _, text in STORIES])


def test_compound_splitting_and_stemming():
    known = {"buurt", "kamer", "mantelzorg", "café", "sport", "vereniging"}
    assert split_compound("buurtkamer", known) == ["buurt", "kamer"]
    assert split_compound("mantelzorgcafé", known) == ["mantelzorg", "café"]
    assert split_compound("sportvereniging", known) == ["sport", "vereniging"]
    assert split_compound("lelystad", known) == []
    assert stem("eenzaam") == stem("eenzame") == stem("eenzaamheid")
    assert stem("regelingen") == stem("regeling")


def test_cold_start_on_a_tree_made_up_here(story_lemmas):
    corpus = T.CorpusModel(story_lemmas)
    scorer = T.TreeScorer(TREE, lemmatise, corpus)
    results = scorer.score(story_lemmas)
    correct = 0
    for (expected, _), scores in zip(STORIES, results):
        assert all(0.0 <= s.score <= 1.0 for s in scores)
        best = max(scores, key=lambda s: s.score)
        correct += best.code == expected
        by_code = {s.code: s for s in scores}
        # The best indicator, or none when the story shares no word with any of them.
        suggested_sp = by_code["SP"].score >= scorer.threshold("SP")
        assert by_code["SP"].indicator in ({"SP.1", "SP.2"} if suggested_sp else {"SP.1", "SP.2", None})
        assert by_code["TA"].indicator is None  # TA has no indicators
    assert correct >= 10, f"only {correct} of {len(STORIES)} stories got the right subdoel first"


def test_cold_start_tags_above_threshold_are_mostly_right(story_lemmas):
    corpus = T.CorpusModel(story_lemmas)
    scorer = T.TreeScorer(TREE, lemmatise, corpus)
    truth = np.array([[code == c for c in TREE.subdoel_codes] for code, _ in STORIES])
    # The stories were collected for this tree (its ronde).
    rows = scorer.score(story_lemmas, context=T.RONDE)
    predicted = np.array([[s.score >= scorer.threshold(s.code, T.RONDE) for s in row] for row in rows])
    f1s = [precision_recall_f1(predicted[:, j], truth[:, j])[2] for j in range(3)]
    assert np.mean(f1s) >= 0.7, f1s


def test_first_story_in_an_empty_bank_is_scored_without_crashing():
    lemmas = lemmatise(["Ik sport bij de voetbalvereniging."])
    corpus = T.CorpusModel(lemmas)
    scores = T.TreeScorer(TREE, lemmatise, corpus).score(lemmas)[0]
    assert max(scores, key=lambda s: s.score).code == "SP"


def test_a_story_sharing_no_word_with_the_tree_gets_no_suggestion_in_a_small_bank():
    """Before standardisation is possible (few stories), an off-topic story used to score
    exactly the threshold for every subdoel."""
    lemmas = lemmatise(["Bij de buurtkamer vertelde ik over de zeldzaamwoordquokka in onze straat.",
                        "Ik sport bij de voetbalvereniging."])
    corpus = T.CorpusModel(lemmas)
    scorer = T.TreeScorer(TREE, lemmatise, corpus)
    off_topic, sport = scorer.score(lemmas)
    assert all(s.score < scorer.threshold(s.code) and s.indicator is None for s in off_topic)
    assert {s.code for s in sport if s.score >= scorer.threshold(s.code)} == {"SP"}


def test_learning_from_judged_stories_beats_a_wrong_cold_start():
    """Judged stories teach what the tree's words cannot: 'vogels' stories belong to NA."""
    tree = T.TreeSpec(code="leer", subdoelen=[
        T.SubdoelSpec("NA", "Inwoners genieten van de natuur"),
        T.SubdoelSpec("CU", "Inwoners bezoeken cultuur"),
    ])
    rng = np.random.default_rng(1)
    birds = ["vogel", "merel", "mus", "reiger", "eend", "zwaan"]
    culture = ["museum", "theater", "concert", "toneel", "film", "schilderij"]
    filler = ["gisteren", "buurman", "koffie", "fiets", "weekend", "zon", "regen"]
    lemma_lists, labels = [], []
    for i in range(60):
        topic = i % 2
        words = list(rng.choice(birds if topic == 0 else culture, 4)) + list(rng.choice(filler, 5))
        lemma_lists.append([str(w) for w in words])
        labels.append([topic == 0, topic == 1])
    truth = np.array(labels)
    corpus = T.CorpusModel(lemma_lists)
    lowercase = lambda texts: [t.lower().split() for t in texts]  # noqa: E731
    new = [["merel", "reiger", "eend", "mus", "zon", "koffie", "buurman", "weekend", "regen"],
           ["theater", "concert", "film", "toneel", "regen", "fiets", "gisteren", "zon", "koffie"]]
    cold = T.TreeScorer(tree, lowercase, corpus).probabilities(new, context=T.RONDE)
    assert cold.max() < T.suggest_threshold(T.RONDE)  # the tree's own words know no birds
    examples = T.TreeExamples(lemma_lists[:20], truth[:20])
    figures, _, _ = cross_validate(
        lambda ex: T.TreeScorer(tree, lowercase, corpus, examples=ex), lemma_lists, truth, tree.subdoel_codes
    )
    assert {f.code for f in figures} == {"NA", "CU"}
    assert all(f.f1 >= 0.9 and f.kappa >= 0.8 for f in figures), figures
    learned = T.TreeScorer(tree, lowercase, corpus, examples=examples).probabilities(new, context=T.RONDE)
    threshold = T.suggest_threshold(T.RONDE)
    assert learned[0, 0] >= threshold > learned[0, 1]
    assert learned[1, 1] >= threshold > learned[1, 0]


OFF_TOPIC = "Mijn kat was drie dagen zoek. Ik heb overal briefjes opgehangen. Ze zat opgesloten in de schuur van de overkant."


def test_a_story_that_fits_no_tree_gets_no_suggestion(story_lemmas):
    lemmas = story_lemmas + lemmatise([OFF_TOPIC])
    corpus = T.CorpusModel(lemmas)
    scorer = T.TreeScorer(TREE, lemmatise, corpus)
    # In a ronde of the tree a coder expects its themes; without one, the bar is higher.
    for context, least in ((T.RONDE, 10), (T.OPEN, 6)):
        scores = scorer.probabilities(lemmas, context=context)
        assert scores[-1].max() < T.suggest_threshold(context), scores[-1]
        # ... while the stories about the tree's themes do get theirs.
        assert (scores[:-1].max(axis=1) >= T.suggest_threshold(context)).sum() >= least


def test_scores_are_probabilities_not_one_repeated_number(story_lemmas):
    corpus = T.CorpusModel(story_lemmas)
    scores = T.TreeScorer(TREE, lemmatise, corpus).probabilities(story_lemmas, context=T.RONDE)
    suggested = np.round(scores[scores >= T.suggest_threshold(T.RONDE)], 2)
    assert len(suggested) >= 10
    assert np.unique(suggested, return_counts=True)[1].max() <= len(suggested) / 3


def test_a_score_does_not_depend_on_the_other_trees_in_the_bank(story_lemmas):
    """A tree's scores come from that tree and the bank's stories only: the same story gets the
    same score whether the bank holds one tree or five."""
    corpus = T.CorpusModel(story_lemmas)
    alone = T.TreeScorer(TREE, lemmatise, corpus).probabilities(story_lemmas)
    others = [T.TreeSpec(code=f"ander-{k}", subdoelen=[T.SubdoelSpec("X", titel)])
              for k, titel in enumerate(["Inwoners wonen prettig", "Jongeren gaan naar school",
                                         "Ouderen blijven thuis wonen", "Buren kennen elkaar"])]
    scorers = [T.TreeScorer(tree, lemmatise, corpus) for tree in [*others, TREE]]
    np.testing.assert_array_equal(scorers[-1].probabilities(story_lemmas), alone)


def test_one_confirmation_changes_the_next_suggestion():
    stories = [text for _, text in STORIES] + [
        "De voedselbank gaf ons een pakket en de budgetcoach keek mee naar de post.",
        "Bij de voedselbank kregen we boodschappen, want het geld was op.",
    ]
    lemmas = lemmatise(stories)
    corpus = T.CorpusModel(lemmas)
    before = T.TreeScorer(TREE, lemmatise, corpus).probabilities(lemmas[-1:], context=T.RONDE)
    confirmed = T.TreeExamples([lemmas[-2]], np.array([[False, True, False]]))
    after = T.TreeScorer(TREE, lemmatise, corpus, examples=confirmed).probabilities(lemmas[-1:], context=T.RONDE)
    ge = TREE.subdoel_codes.index("GE")
    assert after[0, ge] > before[0, ge]


def test_a_judged_story_is_not_scored_with_its_own_judgement(story_lemmas):
    corpus = T.CorpusModel(story_lemmas)
    truth = np.array([[code == c for c in TREE.subdoel_codes] for code, _ in STORIES])
    examples = T.TreeExamples(story_lemmas, truth, keys=list(range(len(STORIES))))
    scorer = T.TreeScorer(TREE, lemmatise, corpus, examples=examples)
    with_own = scorer.probabilities(story_lemmas[:1])
    left_out = scorer.probabilities(story_lemmas[:1], keys=[0])
    rest = T.TreeExamples(story_lemmas[1:], truth[1:])
    expected_sims = T.TreeScorer(TREE, lemmatise, corpus, examples=rest).cold._similarities(corpus.vectorise(story_lemmas[:1]))
    _, sims = scorer.features(corpus.vectorise(story_lemmas[:1]), keys=[0])
    np.testing.assert_allclose(sims, expected_sims, atol=1e-9)
    assert not np.allclose(with_own, left_out)


def test_judged_stories_vote_for_the_subdoel_of_the_nearest_one(story_lemmas):
    corpus = T.CorpusModel(story_lemmas)
    truth = np.array([[code == c for c in TREE.subdoel_codes] for code, _ in STORIES])
    scorer = T.TreeScorer(TREE, lemmatise, corpus, examples=T.TreeExamples(story_lemmas, truth))
    new = lemmatise(["We hadden schulden en de rekeningen stapelden zich op, maar de schuldhulp hielp."])
    votes = scorer.cold.example_votes(corpus.vectorise(new), [None])
    ge, sp = TREE.subdoel_codes.index("GE"), TREE.subdoel_codes.index("SP")
    assert votes[0, ge] > 0 > votes[0, sp]
    # Before anyone judged a story, examples say nothing.
    cold = T.TreeScorer(TREE, lemmatise, corpus).cold.example_votes(corpus.vectorise(new), [None])
    assert not cold.any()


def test_a_judged_story_never_votes_for_itself(story_lemmas):
    corpus = T.CorpusModel(story_lemmas)
    truth = np.array([[code == c for c in TREE.subdoel_codes] for code, _ in STORIES])
    scorer = T.TreeScorer(TREE, lemmatise, corpus, examples=T.TreeExamples(story_lemmas, truth, keys=list(range(len(STORIES)))))
    rest = T.TreeScorer(TREE, lemmatise, corpus, examples=T.TreeExamples(story_lemmas[1:], truth[1:]))
    doc = corpus.vectorise(story_lemmas[:1])
    np.testing.assert_allclose(scorer.cold.example_votes(doc, [0]), rest.cold.example_votes(doc, [None]), atol=1e-12)
    assert not np.allclose(scorer.cold.example_votes(doc, [0]), scorer.cold.example_votes(doc, [None]))


def test_a_story_about_the_tree_s_theme_is_closer_to_the_tree_than_one_off_topic(story_lemmas):
    lemmas = story_lemmas + lemmatise([OFF_TOPIC, "In Testdorp doen alle inwoners mee, dat vind ik mooi."])
    corpus = T.CorpusModel(lemmas)
    cold = T.TreeScorer(TREE, lemmatise, corpus).cold
    theme = cold.theme_similarities(corpus.vectorise(lemmas))
    assert theme[-1] > theme[-2] == 0.0  # the tree's titel and hoofddoel count: "Testdorp", "meedoen"
    assert (theme[:-2] > 0).all()


def test_in_a_ronde_a_story_is_compared_with_the_stories_told_for_the_tree(story_lemmas):
    """The ronde context standardises over the stories collected for the tree (its rondes); the
    open context never looks at them."""
    lemmas = story_lemmas + lemmatise([OFF_TOPIC] * 4)
    corpus = T.CorpusModel(lemmas)
    ronde_rows = list(range(len(STORIES)))
    with_rondes = T.TreeScorer(TREE, lemmatise, corpus, reference_rows=ronde_rows)
    without = T.TreeScorer(TREE, lemmatise, corpus)
    sims = without.cold._similarities(corpus.doc_matrix)
    np.testing.assert_allclose(with_rondes.cold.ronde_mean, np.median(sims[ronde_rows], axis=0))
    np.testing.assert_allclose(without.cold.ronde_mean, without.cold.bank_mean)
    np.testing.assert_array_equal(with_rondes.probabilities(story_lemmas, context=T.OPEN),
                                  without.probabilities(story_lemmas, context=T.OPEN))
    # The ronde features come from the ronde's stories (whether the shipped calibrator weighs
    # them is chosen on the development trees).
    features, _ = with_rondes.features(corpus.vectorise(story_lemmas))
    features_without, _ = without.features(corpus.vectorise(story_lemmas))
    z_ronde = T.CALIBRATION_FEATURES.index("z_ronde")
    assert not np.allclose(features[:, :, z_ronde], features_without[:, :, z_ronde])
    top_two = features[:, :, T.CALIBRATION_FEATURES.index("top_two")]
    assert set(top_two.sum(axis=1)) <= {1.0, 2.0}  # a story's two best subdoelen (one if it shares words with one)
    relative = features[:, :, T.CALIBRATION_FEATURES.index("relative_ronde")]
    np.testing.assert_allclose(relative.max(axis=1), 1.0)


def test_a_ronde_with_few_stories_is_compared_with_the_whole_bank(story_lemmas):
    corpus = T.CorpusModel(story_lemmas)
    few = T.TreeScorer(TREE, lemmatise, corpus, reference_rows=[0, 4, 8])
    assert few.cold.ronde_mean is few.cold.bank_mean
    np.testing.assert_array_equal(few.probabilities(story_lemmas, context=T.RONDE),
                                  T.TreeScorer(TREE, lemmatise, corpus).probabilities(story_lemmas, context=T.RONDE))


def test_a_subdoel_few_ronde_stories_touch_is_compared_with_the_whole_bank(story_lemmas):
    """No story of the ronde shares a word with GE: it has no spread among them, so a story
    touching it by one stray word must not stand out by thousands of standard deviations."""
    lemmas = story_lemmas + lemmatise([OFF_TOPIC] * 4)
    corpus = T.CorpusModel(lemmas)
    sport_and_other = [0, 1, 2, 3, 12, 13, 14, 15]  # sport stories and off-topic ones: nothing on debts
    scorer = T.TreeScorer(TREE, lemmatise, corpus, reference_rows=sport_and_other)
    ge, sp = TREE.subdoel_codes.index("GE"), TREE.subdoel_codes.index("SP")
    assert scorer.cold.ronde_mean[ge] == scorer.cold.bank_mean[ge]
    assert scorer.cold.ronde_std[ge] == scorer.cold.bank_std[ge]
    assert scorer.cold.ronde_std[sp] != scorer.cold.bank_std[sp]  # sport has its spread in this ronde
    features, _ = scorer.features(corpus.vectorise(story_lemmas[4:5]))  # a debts story
    assert features[0, ge, T.CALIBRATION_FEATURES.index("z_ronde")] < 8.0


def test_lemmatise_remembers_texts_and_hands_out_copies():
    """Tree texts are lemmatised for every batch tagged, so lemmas are remembered per text; a
    caller that changes its lists must not change what the next caller gets."""
    from verhalenbank.nlp.pipeline import get_pipeline

    tekst = "De vrijwilligers van de buurtkamer helpen ouderen."
    eerste = lemmatise([tekst, tekst])
    assert eerste[0] == eerste[1]
    assert eerste[0] is not eerste[1]
    assert tekst in get_pipeline().lemma_cache
    eerste[0].append("veranderd")
    assert lemmatise([tekst]) == [eerste[1]]


def test_lemmatise_stays_right_when_its_cache_fills_up(monkeypatch):
    """A full cache is emptied; the call that empties it still answers every text, those it
    found cached included."""
    from verhalenbank.nlp import analysis

    monkeypatch.setattr(analysis, "LEMMA_CACHE_SIZE", 3)
    analysis.get_pipeline().lemma_cache.clear()
    eerst = lemmatise(["De kat slaapt.", "De hond blaft."])
    daarna = lemmatise(["De kat slaapt.", "Een vis zwemt.", "Een boom groeit."])
    assert daarna[0] == eerst[0]
    assert len(daarna) == 3
    assert all(daarna)
