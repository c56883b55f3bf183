"""Representative stories, contrasting voices and characteristic words (no database)."""

from __future__ import annotations

import numpy as np

from tests.pakketten.voorbeelden import BOMEN, invoer_voor_ronde
from verhalenbank.pakketten import selectie
from verhalenbank.pakketten.gegevens import PakketVerhaal, TagInfo
from verhalenbank.pakketten.tekst import is_knelpunt, woorden


def _verhaal(i, tekst, citeren=True, subdoel="A", **kw):
    return PakketVerhaal(id=i, titel=f"V{i}", tekst=tekst, citeren=citeren, tags=(TagInfo(subdoel, True),), **kw)


def _pool():
    # Six near-duplicates about the buurtkamer, three about the bus, one about a garden.
    teksten = [f"In de buurtkamer drinken we koffie en praten we met buren, week {i}." for i in range(6)]
    teksten += [f"De buurtbus rijdt naar de markt, chauffeur {n} helpt met instappen." for n in ("Ali", "Bep", "Cor")]
    teksten += ["De moestuin achter de flat brengt buren samen bij het wieden."]
    return [_verhaal(i, t) for i, t in enumerate(teksten)]


def test_representative_stories_are_central_and_diverse():
    verhalen = _pool()
    matrix = selectie.maak_tekstmatrix(verhalen)
    keuze = selectie.kies_verhalen(matrix, verhalen, range(len(verhalen)))
    assert selectie.MIN_REPRESENTATIEF <= len(keuze.representatief) <= selectie.MAX_REPRESENTATIEF
    gekozen = [verhalen[r].tekst for r in keuze.representatief]
    # The most central story (buurtkamer) comes first, and MMR does not fill the list with
    # its near-duplicates: the bus appears too.
    assert "buurtkamer" in gekozen[0]
    assert any("buurtbus" in t for t in gekozen)
    assert sum("buurtkamer" in t for t in gekozen) < len(gekozen)


def test_only_quotable_and_not_dropped_stories_are_chosen():
    verhalen = _pool()
    for v in verhalen[:3]:
        v.citeren = False
    matrix = selectie.maak_tekstmatrix(verhalen)
    keuze = selectie.kies_verhalen(matrix, verhalen, range(len(verhalen)), weg={"3"})
    getoond = keuze.representatief + [r for r, _ in keuze.tegengeluid]
    assert getoond
    assert all(verhalen[r].citeren for r in getoond)
    assert 3 not in getoond


def test_pinned_and_ordered_stories_follow_the_facilitator():
    verhalen = _pool()
    matrix = selectie.maak_tekstmatrix(verhalen)
    keuze = selectie.kies_verhalen(matrix, verhalen, range(len(verhalen)), vast=["9"], volgorde=["9", "0"])
    assert keuze.representatief[0] == 9
    assert 9 in keuze.vastgepind


def test_negative_self_signification_makes_a_contrasting_voice():
    verhalen = _pool()
    verhalen.append(_verhaal(10, "In de buurtkamer was ik vandaag.", gevoel=1))
    matrix = selectie.maak_tekstmatrix(verhalen)
    # Pinning fills every representative place, so the negative story is left over.
    vast = [verhalen[r].sleutel for r in (0, 6, 9)]
    keuze = selectie.kies_verhalen(matrix, verhalen, range(len(verhalen)), vast=vast)
    assert 10 not in keuze.representatief
    assert (10, "knelpunt") in keuze.tegengeluid


def test_knelpunt_from_wording_and_from_the_tellers_answer():
    assert is_knelpunt("Helaas is de buurtkamer nu dicht en ik voel me eenzaam. Niemand belt.", {})
    assert not is_knelpunt("De buurtkamer is gezellig, ik kom er graag en drink er koffie.", {})
    assert is_knelpunt("De buurtkamer is gezellig.", {}, gevoel=2)
    assert not is_knelpunt("Het was moeilijk in het begin, maar nu gaat het goed.", {}, gevoel=5)


def test_characteristic_words_come_from_the_group_not_the_rest():
    verhalen = _pool()
    matrix = selectie.maak_tekstmatrix(verhalen)
    woorden_bus = [w for w, _ in selectie.kenmerkende_woorden(matrix, [6, 7, 8])]
    assert woorden_bus[:3] and set(woorden_bus) & {"buurtbus", "markt", "chauffeur", "instappen", "rijdt"}
    assert "buurtkamer" not in woorden_bus
    # Names occur in only one story each and never become characteristic.
    assert not {"ali", "bep", "cor"} & set(woorden_bus)


def test_lemmas_never_show_words_that_are_not_in_the_public_text():
    verhalen = _pool()
    # A lemma string that (wrongly) still holds a name must not leak into the words shown:
    # words are counted as written in the public text only.
    for v in verhalen[6:9]:
        v.lemmas = "buurtbus rijden markt jansen helpen"
    matrix = selectie.maak_tekstmatrix(verhalen)
    assert "jansen" not in set(matrix.termen)
    assert "buurtbus" in set(matrix.termen)
    assert "jansen" not in [w for w, _ in selectie.kenmerkende_woorden(matrix, [6, 7, 8])]


def test_placeholders_are_not_words():
    assert woorden("Ik belde [naam] op [nummer] over de buurtkamer") == ["belde", "buurtkamer"]


def test_example_rondes_give_three_to_five_stories_per_subdoel():
    for slug in BOMEN:
        invoer = invoer_voor_ronde(slug)
        matrix = selectie.maak_tekstmatrix(invoer.verhalen)
        for subdoel in invoer.doelenbomen[0].subdoelen:
            pool = [i for i, v in enumerate(invoer.verhalen) if any(t.subdoel == subdoel.sleutel for t in v.tags)]
            keuze = selectie.kies_verhalen(matrix, invoer.verhalen, pool)
            assert 3 <= len(keuze.representatief) <= 5, (slug, subdoel.code)
            assert len(set(keuze.representatief)) == len(keuze.representatief)
            assert not set(keuze.representatief) & {r for r, _ in keuze.tegengeluid}


def test_empty_and_wordless_input():
    assert selectie.kies_verhalen(selectie.maak_tekstmatrix([]), [], []).representatief == []
    verhalen = [_verhaal(1, "de het een"), _verhaal(2, "en of")]
    matrix = selectie.maak_tekstmatrix(verhalen)
    assert matrix.tfidf.shape == (2, 0)
    assert selectie.kenmerkende_woorden(matrix, [0]) == []
    assert np.array_equal(selectie.kies_verhalen(matrix, verhalen, [0, 1]).representatief[:1], [0])


def test_tekstmatrix_equals_scikit_learn_tfidf():
    """The hand-written counts and TF-IDF match CountVectorizer + TfidfTransformer(sublinear_tf)
    exactly, so dropping scikit-learn from pack making changed no pack."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    invoer = invoer_voor_ronde(next(iter(BOMEN)))
    verhalen = list(invoer.verhalen) + [
        PakketVerhaal(id=10_000, titel="leeg", tekst="de het een", bron="inwoner", wijk=None,
                      datum=None, citeren=True, tags=()),
    ]
    matrix = selectie.maak_tekstmatrix(verhalen)
    vectorizer = CountVectorizer(analyzer=selectie._analyse)
    tellingen = vectorizer.fit_transform(verhalen).tocsr()
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(tellingen).tocsr()
    assert list(matrix.termen) == list(vectorizer.get_feature_names_out())
    assert (matrix.tellingen != tellingen).nnz == 0
    assert np.allclose(matrix.tfidf.toarray(), tfidf.toarray(), rtol=0, atol=1e-12)
    assert matrix.tfidf[len(verhalen) - 1].nnz == 0  # the wordless story stays an empty row
