"""Self-signification questions: defaults, per-ronde config, parsing answers, comparison."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from verhalenbank.core.errors import Ongeldig
from verhalenbank.rondes import zelfduiding as zd

SUBDOELEN = [
    zd.SubdoelKeuze("lelystad", "LW1", "Bewoners hebben duurzaam en blijvend contact met elkaar"),
    zd.SubdoelKeuze("lelystad", "LW2", "Bewoners ondernemen samen activiteiten"),
]


def test_defaults_ask_feeling_subject_and_who():
    vragen = zd.build_questions(None, SUBDOELEN)
    assert [vraag.code for vraag in vragen] == ["gevoel", "onderwerp", "wie"]
    gevoel, onderwerp, wie = vragen
    assert [optie.waarde for optie in gevoel.opties] == ["1", "2", "3", "4", "5"]
    assert all(optie.symbool for optie in gevoel.opties) and not gevoel.meer_keuzes
    assert [optie.waarde for optie in onderwerp.opties] == ["lelystad:LW1", "lelystad:LW2", "anders"]
    assert onderwerp.opties[-1].label == "Iets anders" and onderwerp.meer_keuzes
    assert "Buren" in [optie.label for optie in wie.opties]


def test_plain_word_labels_replace_subdoel_titles():
    config = {"vragen": [{"code": "onderwerp", "vraag": "Waarover?", "soort": "onderwerp", "labels": {"LW1": "Contact met buren"}}]}
    (vraag,) = zd.build_questions(config, SUBDOELEN)
    assert [optie.label for optie in vraag.opties] == [
        "Contact met buren", "Bewoners ondernemen samen activiteiten", "Iets anders",
    ]


def test_parse_answers_keeps_only_offered_values():
    vragen = zd.build_questions(None, SUBDOELEN)
    form = MultiDict([
        ("zd_gevoel", "4"), ("zd_gevoel", "1"),              # one face only: first wins
        ("zd_onderwerp", "lelystad:LW2"), ("zd_onderwerp", "anders"),
        ("zd_onderwerp", "lelystad:LW2"),                    # duplicate
        ("zd_onderwerp", "andere-boom:X1"),                  # not offered: tampered
        ("zd_wie", "Buren"), ("zd_wie", "<script>"),
        ("zd_onbekend", "x"),
    ])
    assert zd.parse_answers(vragen, form) == {
        "gevoel": ["4"], "onderwerp": ["lelystad:LW2", "anders"], "wie": ["Buren"],
    }
    assert zd.parse_answers(vragen, MultiDict()) == {}


def test_validate_config_cleans_and_refuses_in_dutch():
    cleaned = zd.validate_config({"vragen": [
        {"code": "wie", "vraag": "  Wie?  ", "soort": "keuzes", "opties": ["Buren", " Buren ", "", "Familie"]},
    ]})
    assert cleaned == {"vragen": [{"code": "wie", "vraag": "Wie?", "soort": "keuzes", "opties": ["Buren", "Familie"]}]}
    for bad, fragment in [
        ({"vragen": [{"code": "Wie!", "vraag": "x", "soort": "keuzes", "opties": ["a", "b"]}]}, "kleine letters"),
        ({"vragen": [{"code": "a", "vraag": "x", "soort": "raar"}]}, "onbekend soort"),
        ({"vragen": [{"code": "a", "vraag": "x", "soort": "keuze", "opties": ["één"]}]}, "minstens twee"),
        ({"vragen": [{"code": "a", "vraag": "", "soort": "gezicht"}]}, "leeg"),
        ({"vragen": [{"code": "a", "vraag": "x", "soort": "gezicht"}] * 2}, "twee keer"),
        ({}, "ontbreekt"),
    ]:
        with pytest.raises(Ongeldig, match=fragment):
            zd.validate_config(bad)


def test_parse_labels():
    assert zd.parse_labels("LW1 = Contact met buren\n\nLW2=Samen dingen doen") == {
        "LW1": "Contact met buren", "LW2": "Samen dingen doen",
    }
    with pytest.raises(Ongeldig, match="Regel 1"):
        zd.parse_labels("zomaar tekst")


def test_compare_shows_agreement_and_disagreement():
    result = zd.compare_with_tags(
        ["lelystad:LW1", "anders"],
        {"lelystad:LW1": "Contact", "lelystad:LW2": "Samen doen"},
        {},
    )
    assert [(v.subdoel_waarde, v.door_inwoner, v.door_tagger, v.eens) for v in result] == [
        ("lelystad:LW1", True, True, True),
        ("lelystad:LW2", False, True, False),
    ]
    only_resident = zd.compare_with_tags(["lelystad:LW2"], {}, {"lelystad:LW2": "Samen doen"})
    assert only_resident[0].uitleg == "Alleen de inwoner koos dit" and only_resident[0].label == "Samen doen"
