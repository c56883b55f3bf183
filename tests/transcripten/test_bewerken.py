"""Review edits on a proposal: merge, split, delete, edit; and the dry-run summary."""

from __future__ import annotations

import pytest

from verhalenbank.core.errors import Ongeldig
from verhalenbank.transcripten.bewerken import beschrijf, splits, voeg_samen, voer_uit
from verhalenbank.transcripten.readers import lees_pad
from verhalenbank.transcripten.splitter import stel_voor

from .fixtures import VOORBEELDEN


@pytest.fixture()
def voorstel():
    return stel_voor(lees_pad(VOORBEELDEN / "transcript-ontmoetingsplek.txt"))


def test_merge_keeps_the_second_question_and_names_the_second_speaker(voorstel):
    samen = voeg_samen(voorstel, 0)  # Gerrit + Tineke
    assert len(samen.passages) == len(voorstel.passages) - 1
    eerste = samen.passages[0]
    assert eerste.spreker == "Gerrit"
    assert eerste.tekst.startswith("Dat ben ik dan maar.")
    assert "\n\nMarieke: Herkent iemand dat? Tineke?\nTineke: Ja en nee." in eerste.tekst
    assert (eerste.positie, eerste.positie_eind) == (14, 66)
    assert eerste.context == voorstel.passages[0].context
    assert len(voorstel.passages) == 7  # the original is untouched


def test_merge_different_speakers_without_own_question(voorstel):
    samen = voeg_samen(voorstel, 2)  # Ahmed + Wilma (no question of her own)
    assert samen.passages[2].spreker == "Ahmed"
    assert "\n\nWilma: Mag ik daar iets op zeggen?" in samen.passages[2].tekst


def test_merge_last_is_refused(voorstel):
    with pytest.raises(Ongeldig, match="laatste"):
        voeg_samen(voorstel, len(voorstel.passages) - 1)


def test_split_at_blank_lines_and_at_a_character(voorstel):
    teksten = [p.tekst for p in voorstel.passages]
    teksten[3] = "Mag ik daar iets op zeggen?\n\nIk ben vrijwilliger hier."
    gesplitst = voer_uit(voorstel, "splitsen:3", teksten)
    assert [p.tekst for p in gesplitst.passages[3:5]] == ["Mag ik daar iets op zeggen?", "Ik ben vrijwilliger hier."]
    assert gesplitst.passages[4].context is None and gesplitst.passages[4].spreker == "Wilma"
    op_teken = splits(voorstel, 3, op_teken=len("Mag ik daar iets op zeggen?"))
    assert op_teken.passages[3].tekst == "Mag ik daar iets op zeggen?"
    assert op_teken.passages[4].tekst.startswith("Ik ben vrijwilliger hier.")


def test_split_without_blank_line_explains_how(voorstel):
    with pytest.raises(Ongeldig, match="lege regel"):
        voer_uit(voorstel, "splitsen:3", None)


def test_delete_and_edit(voorstel):
    teksten = [p.tekst for p in voorstel.passages]
    teksten[0] = "  Aangepaste tekst.\r\nTweede regel.  "
    na = voer_uit(voorstel, "verwijderen:1", teksten)
    assert len(na.passages) == 6
    assert na.passages[0].tekst == "Aangepaste tekst.\nTweede regel."
    assert na.passages[1].spreker == "Ahmed"  # Tineke (index 1) is gone


@pytest.mark.parametrize("actie", ["verwijderen:99", "samenvoegen:x", "weggooien:1"])
def test_bad_actions_are_refused(voorstel, actie):
    with pytest.raises(Ongeldig):
        voer_uit(voorstel, actie, None)


def test_stale_form_is_refused(voorstel):
    with pytest.raises(Ongeldig, match="opnieuw"):
        voer_uit(voorstel, "opslaan", ["alleen één tekst"])


def test_summary_lists_every_passage(voorstel):
    tekst = beschrijf(voorstel, naam="transcript-ontmoetingsplek.txt")
    assert tekst.splitlines()[0] == "transcript-ontmoetingsplek.txt: 7 voorgestelde verhalen"
    assert "Marieke (gespreksleider, 11x)" in tekst
    assert "Wilma (vrijwilliger, 1x)" in tekst
    assert "  1. Gerrit [14-66]" in tekst
    assert "  7. Dini [48-64]" in tekst
    assert tekst.count("vraag: ") == 6  # Wilma spoke up without being asked
