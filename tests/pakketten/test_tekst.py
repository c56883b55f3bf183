"""Plain-text helpers of the pack: the tone classifier (measured), titles, question words."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

from verhalenbank.pakketten.samenstellen import periode_tekst
from verhalenbank.pakketten.tekst import is_knelpunt, is_vraagwoord, titel_uit_tekst, vraagwoorden, werkwoordvormen

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_pakket_gevoel.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_pakket_gevoel", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tone_classifier_beats_the_old_cue_list_on_the_labelled_examples():
    uitslag = _bench().evaluatie()
    nu, basis = uitslag["classifier"], uitslag["baseline_voor_issue_14"]
    print(f"knelpunt accuracy {nu['accuracy']} (baseline {basis['accuracy']}) on {nu['verhalen']} stories")
    assert nu["verhalen"] >= 70
    assert nu["accuracy"] >= 0.75
    assert nu["accuracy"] > basis["accuracy"]
    assert nu["vrolijk_als_knelpunt"] < basis["vrolijk_als_knelpunt"]


def test_cheerful_stories_are_no_knelpunt_and_the_tellers_answer_wins():
    vrolijk = ("Mijn kleindochter heeft zaterdag haar diploma gehaald! Ze was zo zenuwachtig, maar ze deed "
               "het in één keer. Daarna met z'n allen pannenkoeken gegeten. Wat was ik trots.")
    assert not is_knelpunt(vrolijk, {})
    somber = "Ik ben op. Al twee jaar geen dag vrij gehad. Niemand die het overneemt. Het is te zwaar."
    assert is_knelpunt(somber, {})
    assert is_knelpunt(vrolijk, {}, gevoel=1)
    assert not is_knelpunt(somber, {}, gevoel=5)
    assert is_knelpunt("Het was niet fijn en niet gezellig.", {})


def test_untitled_stories_get_their_first_line_as_title():
    assert titel_uit_tekst("De bus rijdt niet meer.\nDaarna ...") == "De bus rijdt niet meer"
    lang = "Na het overlijden van mijn man kwam ik de deur bijna niet meer uit, tot de buurvrouw belde."
    assert titel_uit_tekst(lang) == "Na het overlijden van mijn man kwam ik …"
    assert titel_uit_tekst("\n\n  ") == "Verhaal zonder titel"


def test_question_words_and_their_forms_are_recognised():
    vraag = vraagwoorden(["Wilt u vertellen wat u meemaakte met uw buren?"])
    assert is_vraagwoord("vertellen", vraag)
    assert is_vraagwoord("vertelde", vraag)
    assert is_vraagwoord("buren", vraag)
    assert not is_vraagwoord("buurtkamer", vraag)
    assert not is_vraagwoord("verhuizing", vraag)


def test_verb_forms_next_to_a_subject_are_not_content_words():
    vormen = werkwoordvormen(["Ik woon hier sinds 2019. Nu woon ik er graag, maar ik begin pas.",
                              "In de bibliotheek lees ik de krant en leen ik boeken.", "De bus rijdt niet."])
    assert {"woon", "begin", "rijdt"} <= vormen
    assert not {"boeken", "krant", "bibliotheek"} & vormen


def test_period_comes_from_the_stories_when_the_ronde_has_none():
    assert periode_tekst(None, None, [date(2026, 5, 2), date(2026, 4, 1)]) == (
        "1 april 2026 tot en met 2 mei 2026 (data van de verhalen)"
    )
    assert "geen periode ingesteld" not in periode_tekst(None, None, [])
