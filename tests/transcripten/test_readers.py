"""Reading the five transcript formats and refusing bad files with a clear Dutch message."""

from __future__ import annotations

import os

import pytest

from verhalenbank.transcripten.readers import (
    MAX_BESTANDSGROOTTE,
    TranscriptLeesfout,
    lees_pad,
    lees_transcript,
)

from .fixtures import (
    SESSIE_REGELS,
    SLECHTE_INVOER,
    SRT_MET_DUBBELE_PUNT,
    VOORBEELDEN,
    VTT,
    maak_docx,
    maak_lege_pdf,
    maak_tekst_pdf,
    maak_versleutelde_pdf,
)

SESSIE_TEKST = "\n".join(SESSIE_REGELS) + "\n"


def _teksten(gelezen):
    return [segment.tekst for segment in gelezen.segmenten]


# --- .txt ------------------------------------------------------------------------------------


def test_utf8_text_keeps_lines_positions_and_paragraphs():
    gelezen = lees_transcript(SESSIE_TEKST.encode("utf-8"), "sessie.txt")
    assert gelezen.formaat == "txt"
    assert gelezen.codering == "UTF-8"
    assert gelezen.meldingen == []
    assert _teksten(gelezen)[0] == "Verteltafel buurthuis De Brug"
    gerrit = next(s for s in gelezen.segmenten if s.tekst.startswith("Gerrit: Sinds"))
    assert gerrit.positie == 8  # line number in the file
    assert gerrit.alinea == 3  # header block, Marieke, Gerrit
    assert gerrit.spreker is None  # speakers in text are the splitter's job


def test_utf8_with_bom_is_read_without_the_bom():
    gelezen = lees_transcript(b"\xef\xbb\xbf" + SESSIE_TEKST.encode("utf-8"), "sessie.txt")
    assert _teksten(gelezen)[0] == "Verteltafel buurthuis De Brug"
    assert "café" in _teksten(gelezen)[-2]
    assert gelezen.meldingen == []


def test_utf16_with_bom_is_read():
    gelezen = lees_transcript(SESSIE_TEKST.encode("utf-16"), "sessie.txt")
    assert "café" in " ".join(_teksten(gelezen))


def test_latin1_example_keeps_accents_and_says_how_it_was_read():
    gelezen = lees_pad(SLECHTE_INVOER / "latin1.txt")
    tekst = "\n".join(_teksten(gelezen))
    for woord in ("café", "René", "Zoë", "Noël", "België", "geïnteresseerd", "één"):
        assert woord in tekst
    assert "Ã" not in tekst and "\ufffd" not in tekst
    assert gelezen.codering == "ISO-8859-1 (Latin-1)"
    assert len(gelezen.meldingen) == 1 and "Latin-1" in gelezen.meldingen[0]
    assert "latin1.txt" in gelezen.meldingen[0]


def test_cp1252_smart_quotes_are_detected():
    tekst = "Gerrit: Hij zei “kom erbij” – en dat deed ik. Café één, naïef.\n"
    gelezen = lees_transcript(tekst.encode("cp1252"), "sessie.txt")
    assert _teksten(gelezen) == [tekst.strip()]
    assert gelezen.codering == "Windows-1252 (Latin-1)"


def test_bracketed_timestamp_at_line_start_is_kept_as_begin():
    gelezen = lees_transcript(b"[00:01:23] Marieke: Welkom.\n10:30 begonnen we.\n", "sessie.txt")
    assert gelezen.segmenten[0].begin == "00:01:23"
    assert gelezen.segmenten[0].tekst == "Marieke: Welkom."
    # A bare clock time in a sentence is not a timestamp.
    assert gelezen.segmenten[1].begin is None
    assert gelezen.segmenten[1].tekst == "10:30 begonnen we."


# --- .docx -----------------------------------------------------------------------------------


def test_docx_paragraphs_in_order_with_paragraph_numbers():
    gelezen = lees_transcript(maak_docx(), "sessie.docx")
    assert gelezen.formaat == "docx"
    assert _teksten(gelezen) == [regel for regel in SESSIE_REGELS if regel]
    gerrit = next(s for s in gelezen.segmenten if s.tekst.startswith("Gerrit: Sinds"))
    assert gerrit.positie == 8  # paragraph number, empty paragraphs included


def test_docx_table_rows_become_speaker_lines():
    gelezen = lees_transcript(
        maak_docx(["Sessie"], tabel=[("Marieke", "Hoe gaat het?"), ("Gerrit", "Goed, dank u.")]),
        "tabel.docx",
    )
    assert _teksten(gelezen) == ["Sessie", "Marieke: Hoe gaat het?", "Gerrit: Goed, dank u."]


def test_random_bytes_named_docx_are_refused():
    with pytest.raises(TranscriptLeesfout, match="kan niet als Word-bestand"):
        lees_transcript(os.urandom(3000), "kapot.docx")


# --- .pdf ------------------------------------------------------------------------------------


def test_text_pdf_is_read_with_page_numbers():
    gelezen = lees_transcript(maak_tekst_pdf(), "sessie.pdf")
    tekst = " ".join(_teksten(gelezen))
    assert "Marieke: Wat betekent het buurthuis voor u?" in tekst
    assert "café" in tekst
    assert {segment.pagina for segment in gelezen.segmenten} == {1}


def test_pdf_with_user_password_is_refused():
    with pytest.raises(TranscriptLeesfout, match="beveiligd met een wachtwoord") as fout:
        lees_transcript(maak_versleutelde_pdf(gebruikerswachtwoord="geheim"), "geheim.pdf")
    assert "geheim.pdf" in fout.value.bericht


def test_pdf_with_only_an_owner_password_opens_like_in_a_viewer():
    gelezen = lees_transcript(maak_versleutelde_pdf(gebruikerswachtwoord=""), "alleen-lezen.pdf")
    assert "Marieke: Wat betekent het buurthuis voor u?" in _teksten(gelezen)


def test_pdf_without_text_is_refused_as_probably_a_scan():
    with pytest.raises(TranscriptLeesfout, match="scan"):
        lees_transcript(maak_lege_pdf(), "scan.pdf")


def test_binary_example_named_pdf_is_refused():
    with pytest.raises(TranscriptLeesfout) as fout:
        lees_pad(SLECHTE_INVOER / "binair.pdf")
    assert fout.value.bericht == "‘binair.pdf’ kan niet als PDF gelezen worden: het bestand is beschadigd of geen PDF."


def test_truncated_pdf_is_refused_without_a_parser_error():
    with pytest.raises(TranscriptLeesfout, match="beschadigd of geen PDF"):
        lees_transcript(maak_tekst_pdf()[:400], "half.pdf")


# --- .vtt and .srt ---------------------------------------------------------------------------


def test_vtt_voice_tags_give_speakers_and_cues_keep_timestamps():
    gelezen = lees_transcript(VTT.encode("utf-8"), "sessie.vtt")
    sprekers = [(s.positie, s.spreker) for s in gelezen.segmenten]
    assert sprekers == [
        (1, "Rachid"), (2, "Sanne"), (3, "Sanne"),  # cue 3 has no voice: same speaker goes on
        (4, "Daan"), (4, "Sanne"),  # two voices in one cue
        (5, "Rachid"), (6, "Daan"),
    ]
    assert gelezen.segmenten[1].begin == "00:00:04.500"
    assert gelezen.segmenten[1].eind == "00:00:09.000"
    assert gelezen.segmenten[1].tekst == "Ik wil wel. Vorig jaar ben ik verhuisd en ik kende hier niemand."
    assert "&" in gelezen.segmenten[2].tekst and "&amp;" not in gelezen.segmenten[2].tekst
    assert gelezen.segmenten[-1].tekst.endswith("alleen online.")  # <i> removed


def test_srt_example_bracket_names_and_continuing_cues():
    gelezen = lees_pad(VOORBEELDEN / "transcript-jongerenwerk.srt")
    assert gelezen.formaat == "srt"
    assert len(gelezen.segmenten) == 63
    eerste = gelezen.segmenten[0]
    assert (eerste.spreker, eerste.tekst, eerste.begin, eerste.eind) == (
        "Rachid", "Oké, de opname loopt. Welkom allemaal.", "00:00:02.000", "00:00:05.485"
    )
    assert [s.spreker for s in gelezen.segmenten[:9]] == ["Rachid"] * 3 + ["Sanne"] * 4 + ["Daan", "Sanne"]
    assert gelezen.segmenten[4].tekst == "Vorig jaar ben ik van Purmerend naar Hoorn verhuisd."
    assert {s.spreker for s in gelezen.segmenten} == {"Rachid", "Sanne", "Daan", "Mo", "Lisa", "Priya"}


def test_srt_colon_names_only_when_they_recur():
    gelezen = lees_transcript(SRT_MET_DUBBELE_PUNT.encode("utf-8"), "sessie.srt")
    assert [s.spreker for s in gelezen.segmenten] == ["Rachid", "Sanne", "Sanne", "Rachid", "Sanne"]
    # "Gewoon:" opens a cue once and is no known speaker: it is speech.
    assert gelezen.segmenten[2].tekst == "Gewoon: ik kende hier echt helemaal niemand."


def test_note_in_brackets_is_not_a_speaker():
    srt = "1\n00:00:01,000 --> 00:00:02,000\n[Mo] Hoi daar.\n\n2\n00:00:02,000 --> 00:00:03,000\n[gelach] Echt waar.\n"
    gelezen = lees_transcript(srt.encode(), "a.srt")
    assert [(s.spreker, s.tekst) for s in gelezen.segmenten] == [("Mo", "Hoi daar."), ("Mo", "[gelach] Echt waar.")]


def test_broken_subtitles_are_refused():
    with pytest.raises(TranscriptLeesfout, match="WebVTT"):
        lees_transcript(b"dit is geen webvtt\n\n00:00 --> x\nHoi\n", "kapot.vtt")
    with pytest.raises(TranscriptLeesfout, match="SubRip"):
        lees_transcript(b"gewoon wat tekst zonder tijden\n", "kapot.srt")


# --- general refusals ------------------------------------------------------------------------


def test_empty_example_is_refused():
    with pytest.raises(TranscriptLeesfout) as fout:
        lees_pad(SLECHTE_INVOER / "leeg.txt")
    assert "leeg.txt" in fout.value.bericht and "leeg" in fout.value.bericht.split("’", 1)[1]


@pytest.mark.parametrize("naam", ["spaties.txt", "spaties.srt"])
def test_only_whitespace_counts_as_empty(naam):
    with pytest.raises(TranscriptLeesfout, match="leeg"):
        lees_transcript(b" \n\n \t\n", naam)


def test_file_over_the_limit_is_refused_before_reading(tmp_path):
    groot = tmp_path / "groot.txt"
    with groot.open("wb") as bestand:
        bestand.truncate(MAX_BESTANDSGROOTTE + 1)  # sparse: no 20 MB written
    with pytest.raises(TranscriptLeesfout, match="te groot .*20 MB"):
        lees_pad(groot)
    with pytest.raises(TranscriptLeesfout, match="te groot"):
        lees_transcript(b"a" * (MAX_BESTANDSGROOTTE + 1), "groot.txt")


def test_file_at_the_limit_is_accepted():
    inhoud = (b"Gerrit: " + b"woord " * 100 + b"\n") * (MAX_BESTANDSGROOTTE // 609)
    assert len(inhoud) <= MAX_BESTANDSGROOTTE
    assert lees_transcript(inhoud, "groot.txt").segmenten


@pytest.mark.parametrize(
    ("naam", "verwacht"),
    [
        ("sessie.odt", "(.odt) kennen we niet"),
        ("sessie", "(zonder extensie)"),
        ("sessie.doc", "Sla het in Word op als .docx"),
    ],
)
def test_unknown_extension_is_refused(naam, verwacht):
    with pytest.raises(TranscriptLeesfout) as fout:
        lees_transcript(b"Marieke: Hallo", naam)
    assert verwacht in fout.value.bericht


def test_binary_bytes_named_txt_are_refused():
    with pytest.raises(TranscriptLeesfout, match="geen leesbaar tekstbestand"):
        lees_transcript(bytes(range(256)) * 8, "raar.txt")


def test_upload_name_is_never_used_as_a_path():
    gelezen = lees_transcript(b"Marieke: Hallo allemaal.", "../../etc/passwd.txt")
    assert gelezen.segmenten[0].tekst == "Marieke: Hallo allemaal."
