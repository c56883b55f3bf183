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


def test_merge_same_speaker_keeps_follow_up_question_inside(voorstel):
    samen = voeg_samen(voorstel, 0)
    assert len(samen.passages) == len(voorstel.passages) - 1
    eerste = samen.passages[0]
    assert eerste.spreker == "Gerrit"
    assert eerste.tekst.startswith("Dat ben ik dan maar.")
    assert "\n\nMarieke: Wat maakte dat het nu wel lukte?\nHij vroeg wat." in eerste.tekst
    assert (eerste.positie, eerste.positie_eind) == (14, 18)
    assert eerste.context == voorstel.passages[0].context
    assert len(voorstel.passages) == 16  # the original is untouched


def test_merge_different_speakers_names_the_second(voorstel):
    samen = voeg_samen(voorstel, 4)  # Ahmed + Wilma (same question, no context of her own)
    assert samen.passages[4].spreker == "Ahmed"
    assert samen.passages[4].tekst.split("\n\n")[1].startswith("Wilma: Mag ik daar iets op zeggen?")


def test_merge_last_is_refused(voorstel):
    with pytest.raises(Ongeldig, match="laatste"):
        voeg_samen(voorstel, len(voorstel.passages) - 1)


def test_split_at_blank_lines_and_at_a_character(voorstel):
    tekst = voorstel.passages[1].tekst
    teksten = [p.tekst for p in voorstel.passages]
    teksten[1] = tekst.replace("Mensen vragen nooit wat. ", "Mensen vragen nooit wat.\n\n")
    gesplitst = voer_uit(voorstel, "splitsen:1", teksten)
    assert [p.tekst for p in gesplitst.passages[1:3]] == [
        "Hij vroeg wat. Mensen vragen nooit wat.",
        "Iedereen doet alsof hij alles zelf kan.",
    ]
    assert gesplitst.passages[2].context is None and gesplitst.passages[2].spreker == "Gerrit"
    op_teken = splits(voorstel, 1, op_teken=len("Hij vroeg wat."))
    assert op_teken.passages[1].tekst == "Hij vroeg wat."
    assert op_teken.passages[2].tekst.startswith("Mensen vragen nooit wat.")


def test_split_without_blank_line_explains_how(voorstel):
    with pytest.raises(Ongeldig, match="lege regel"):
        voer_uit(voorstel, "splitsen:1", None)


def test_delete_and_edit(voorstel):
    teksten = [p.tekst for p in voorstel.passages]
    teksten[0] = "  Aangepaste tekst.\r\nTweede regel.  "
    na = voer_uit(voorstel, "verwijderen:1", teksten)
    assert len(na.passages) == 15
    assert na.passages[0].tekst == "Aangepaste tekst.\nTweede regel."
    assert na.passages[1].spreker == "Tineke"


@pytest.mark.parametrize("actie", ["verwijderen:99", "samenvoegen:x", "weggooien:1"])
def test_bad_actions_are_refused(voorstel, actie):
    with pytest.raises(Ongeldig):
        voer_uit(voorstel, actie, None)


def test_stale_form_is_refused(voorstel):
    with pytest.raises(Ongeldig, match="opnieuw"):
        voer_uit(voorstel, "opslaan", ["alleen één tekst"])


def test_summary_lists_every_passage(voorstel):
    tekst = beschrijf(voorstel, naam="transcript-ontmoetingsplek.txt")
    assert tekst.splitlines()[0] == "transcript-ontmoetingsplek.txt: 16 voorgestelde verhalen"
    assert "Marieke (gespreksleider, 11x)" in tekst
    assert "  1. Gerrit [14]" in tekst
    assert " 10. Dini [48-52]" in tekst
    assert tekst.count("vraag: ") == 16
