"""Splitting transcripts into one proposed story per participant turn."""

from __future__ import annotations

from verhalenbank.transcripten.readers import Segment, lees_pad, lees_transcript
from verhalenbank.transcripten.splitter import (
    ROL_FACILITATOR,
    ROL_INWONER,
    ROL_PROFESSIONAL,
    ROL_VRIJWILLIGER,
    Voorstel,
    naam_past_bij,
    stel_voor,
)

from .fixtures import SLECHTE_INVOER, SRT_MET_DUBBELE_PUNT, VOORBEELDEN, VTT, maak_docx, maak_tekst_pdf


def _sprekers(voorstel):
    return [passage.spreker for passage in voorstel.passages]


# --- the two example transcripts -------------------------------------------------------------

ONTMOETINGSPLEK_BEURTEN = [
    # Marieke (the facilitator) asks; a follow-up answer continues its teller's story and the
    # closing round's one-liners ("Als u één ding zou mogen veranderen ...") join their teller's
    # story: one story per participant, not sixteen.
    "Gerrit", "Tineke", "Ahmed", "Wilma", "Joke", "Bert", "Dini",
]


def test_ontmoetingsplek_splits_into_participant_stories():
    voorstel = stel_voor(lees_pad(VOORBEELDEN / "transcript-ontmoetingsplek.txt"))
    assert _sprekers(voorstel) == ONTMOETINGSPLEK_BEURTEN
    # Header labels are metadata, not speakers; Wilma speaks once and still counts.
    assert set(voorstel.rollen) == {"Marieke", "Gerrit", "Tineke", "Ahmed", "Wilma", "Joke", "Bert", "Dini"}
    assert voorstel.gespreksleiders == ["Marieke"]
    assert voorstel.kopgegevens["Datum"] == "donderdag 16 april 2026, 10.30-11.45 uur"
    assert voorstel.kopgegevens["Ronde"] == "lelystad-2026-voorjaar"
    assert voorstel.kop[0] == "VERTELSESSIE DAGACTIVITEITENCENTRUM DE SCHAKEL"
    assert voorstel.beurten["Marieke"] == 11


def test_ontmoetingsplek_follow_ups_and_closing_round_join_the_story():
    voorstel = stel_voor(lees_pad(VOORBEELDEN / "transcript-ontmoetingsplek.txt"))
    gerrit = voorstel.passages[0]
    assert gerrit.context.startswith("Marieke: Goedemorgen allemaal")
    assert gerrit.context.endswith("wanneer heeft u voor het laatst iemand uit uw buurt echt gesproken?")
    assert gerrit.tekst.startswith("Dat ben ik dan maar. Gisteren.")
    # The follow-up question stays visible inside the story it continues.
    assert "\n\n[Marieke: Wat maakte dat het nu wel lukte?]\nHij vroeg wat." in gerrit.tekst
    # Gerrit's closing wish, with the question it answers, ends his story.
    assert gerrit.tekst.endswith(
        "[Marieke: Als u één ding zou mogen veranderen in uw buurt, wat zou dat zijn?]\n"
        "Dat mensen wat vaker iets vragen. Aan hun buren."
    )
    dini = voorstel.passages[6]
    assert dini.tekst.endswith("\nEen bus die vaker rijdt.")
    assert not any(passage.tekst == "Een bus die vaker rijdt." for passage in voorstel.passages)
    assert voorstel.slot.startswith("Marieke: Heel erg bedankt allemaal.")


def test_ontmoetingsplek_short_reactions_and_interjections():
    voorstel = stel_voor(lees_pad(VOORBEELDEN / "transcript-ontmoetingsplek.txt"))
    dini = voorstel.passages[6]
    assert dini.spreker == "Dini"
    assert "ergens bij hoort. [Tineke: Dat wil ik onderschrijven.] [Gerrit: Ik ook.]" in dini.tekst
    assert dini.positie == 48  # line number in the file
    joke = voorstel.passages[4]
    assert "die belt me op zondag. [Dini: Elke zondag!] Elke zondag." in joke.tekst
    assert "[gelach]" in voorstel.passages[5].tekst
    assert not any("einde opname" in passage.tekst for passage in voorstel.passages)


def test_ontmoetingsplek_roles_from_header():
    voorstel = stel_voor(lees_pad(VOORBEELDEN / "transcript-ontmoetingsplek.txt"))
    assert voorstel.rollen["Marieke"] == ROL_FACILITATOR
    assert voorstel.rollen["Gerrit"] == ROL_INWONER
    # "Aanwezig: ... Wilma (vrijwilliger)" in the header.
    assert voorstel.rollen["Wilma"] == ROL_VRIJWILLIGER
    assert {passage.rol for passage in voorstel.passages} == {ROL_INWONER, ROL_VRIJWILLIGER}


def test_ontmoetingsplek_consent_per_speaker_from_header():
    voorstel = stel_voor(lees_pad(VOORBEELDEN / "transcript-ontmoetingsplek.txt"))
    # "Alle deelnemers gaven vooraf toestemming ... Joke wil niet geciteerd worden."
    assert all(voorstel.toestemming[naam] is True for naam in ONTMOETINGSPLEK_BEURTEN)
    assert voorstel.citeren["Joke"] is False
    assert voorstel.toestemming_bron["Joke"] == "Joke wil niet geciteerd worden."
    # Nobody else said anything about quoting: unknown, not yes.
    assert voorstel.citeren["Gerrit"] is None
    assert [(p.spreker, p.citeren) for p in voorstel.passages if p.citeren is not None] == [("Joke", False)]


def test_consent_remarks_in_a_speakers_own_words():
    regels = [
        "Gespreksleider: Anna",
        "",
        "Anna: Wie wil iets vertellen over de buurt?",
        "",
        "Kees: Ik wil best iets zeggen, maar ik blijf liever anoniem. Mijn buurman helpt me elke week met de boodschappen en dat is fijn.",
        "",
        "Anna: Dank u. En u?",
        "",
        "Fatma: Bij ons in de straat kent niemand elkaar, dat vind ik jammer, ik woon er al jaren.",
    ]
    voorstel = stel_voor(lees_transcript("\n".join(regels).encode(), "s.txt"))
    assert voorstel.citeren == {"Anna": None, "Kees": False, "Fatma": None}
    assert [(p.spreker, p.citeren) for p in voorstel.passages] == [("Kees", False), ("Fatma", None)]


def test_consent_phrases():
    from verhalenbank.transcripten.toestemming import lees_kop, wil_niet_geciteerd

    assert wil_niet_geciteerd("Dit mag je opschrijven, maar niet citeren hoor.")
    assert wil_niet_geciteerd("Ze wil niet geciteerd worden.")
    assert not wil_niet_geciteerd("Ik heb de krant geciteerd in mijn brief.")
    kop = lees_kop(["Iedereen mag geciteerd worden.", "Piet wil niet letterlijk geciteerd worden."],
                   ["Piet", "Els"])
    assert kop.citeren == {"Piet": False, "Els": True}
    assert lees_kop(["Els gaf geen toestemming."], ["Piet", "Els"]).toestemming == {"Piet": None, "Els": False}


JONGERENWERK_BEURTEN = ["Sanne", "Daan", "Mo", "Lisa", "Priya", "Lisa"]


def test_jongerenwerk_splits_into_participant_stories():
    voorstel = stel_voor(lees_pad(VOORBEELDEN / "transcript-jongerenwerk.srt"))
    # Rachid opens and asks most questions: he is the facilitator without being told.
    assert voorstel.gespreksleiders == ["Rachid"]
    assert _sprekers(voorstel) == JONGERENWERK_BEURTEN
    sanne = voorstel.passages[0]
    # Cues 4-9: Sanne's cues merged, Daan's "Serieus?" attached inside, Sanne goes on.
    assert sanne.positie == 4
    assert sanne.tekst.startswith(
        "Ik wil wel. Ik ben Sanne, ik ben zestien. Vorig jaar ben ik van Purmerend naar Hoorn verhuisd. "
        "En ik kende hier echt helemaal niemand. In de pauze zat ik gewoon op de wc met mijn telefoon. "
        "[Daan: Serieus?] Ja. Dat doen meer mensen hoor. Dan lijkt het niet alsof je alleen zit.\n\n"
        "[Rachid: En hoe is dat nu?]\nBeter. Via volleybal."
    )
    assert sanne.context.startswith("Rachid: Oké, de opname loopt.")
    assert sanne.context.endswith("Maar wie wil beginnen?")
    # A short reaction right after a story is an interjection inside it.
    assert "[Mo: Bro, dat is toch gewoon normaal.]" in voorstel.passages[1].tekst
    lisa = voorstel.passages[3]
    assert "[Rachid: Hoe kwam je daaruit?]\nMijn huisarts stuurde me naar een maatje." in lisa.tekst


def test_jongerenwerk_short_answers_to_the_last_question_stay_with_it():
    voorstel = stel_voor(lees_pad(VOORBEELDEN / "transcript-jongerenwerk.srt"))
    assert voorstel.slot.splitlines()[:4] == [
        "Rachid: Oké. Laatste vraag. Wie heeft iemand om te bellen als het echt slecht gaat?",
        "Daan: ... Eigenlijk niet.",
        "Priya: Mijn nicht. Soms.",
        "Mo: Mijn broer.",
    ]


def test_latin1_example_splits_with_header_and_single_turn_speakers():
    voorstel = stel_voor(lees_pad(SLECHTE_INVOER / "latin1.txt"))
    assert _sprekers(voorstel) == ["René", "Noël"]
    assert voorstel.gespreksleiders == ["Anneloes"]
    assert voorstel.passages[0].context == "Anneloes: Wat betekent het café voor u?"
    assert "Zoë" in voorstel.passages[0].tekst
    assert voorstel.kop == ["Vertelsessie buurtcafé De Tulp, Hillegom", "Datum: 12 maart 2026", "Gespreksleider: Anneloes"]
    assert any("Latin-1" in melding for melding in voorstel.meldingen)


# --- all formats give the same split ---------------------------------------------------------


def test_txt_docx_and_pdf_of_one_session_give_the_same_passages():
    from .fixtures import SESSIE_REGELS

    uitkomsten = []
    for naam, inhoud in [
        ("s.txt", "\n".join(SESSIE_REGELS).encode()),
        ("s.docx", maak_docx()),
        ("s.pdf", maak_tekst_pdf()),
    ]:
        voorstel = stel_voor(lees_transcript(inhoud, naam))
        uitkomsten.append([(p.spreker, p.tekst, p.context) for p in voorstel.passages])
    assert uitkomsten[0] == uitkomsten[1] == uitkomsten[2]
    assert uitkomsten[0] == [
        ("Gerrit", "Sinds ik hier kom heb ik weer mensen om mee te praten. Dat is fijn, echt waar.",
         "Marieke: Wat betekent het buurthuis voor u?"),
        ("Tineke", "Ik kom elke week. De koffie is lekker en de mensen zijn aardig, ook in het café. [Gerrit: Klopt.]",
         "Marieke: En voor u, Tineke?"),
    ]


def test_vtt_voices_split_with_timestamps():
    voorstel = stel_voor(lees_transcript(VTT.encode(), "s.vtt"))
    assert voorstel.gespreksleiders == ["Rachid"]
    assert [(p.spreker, p.tijd, p.positie) for p in voorstel.passages] == [
        ("Sanne", "00:00:04.500–00:00:14.000", 2),
        ("Daan", "00:00:18.500–00:00:24.000", 6),
    ]
    assert "[Daan: Serieus?] Ja. Dat doen" in voorstel.passages[0].tekst


def test_srt_with_colon_names():
    voorstel = stel_voor(lees_transcript(SRT_MET_DUBBELE_PUNT.encode(), "s.srt"))
    # Sanne's answer to the follow-up "En nu?" continues her story.
    assert _sprekers(voorstel) == ["Sanne"]
    assert voorstel.passages[0].tekst.startswith(
        "Ik wil wel. Ik ben zestien en woon sinds kort in Hoorn. Gewoon: ik kende hier echt helemaal niemand."
    )
    assert voorstel.passages[0].tekst.endswith("[Rachid: En nu?]\nNu zit ik op volleybal en heb ik vriendinnen.")


# --- rules -----------------------------------------------------------------------------------


def _regels(*regels: str) -> list[Segment]:
    segmenten = []
    alinea = 1
    for nummer, regel in enumerate(regels, start=1):
        if not regel:
            alinea += 1
            continue
        segmenten.append(Segment(tekst=regel, positie=nummer, alinea=alinea))
    return segmenten


def test_facilitator_named_on_the_form_wins_over_question_counting():
    segmenten = _regels(
        "Jan: Ik begin wel. Vroeger kende ik hier niemand in de straat.",
        "Els de Vries: Hoe kwam dat?",
        "Jan: Ik werkte altijd en was nooit thuis, ook niet in het weekend.",
        "Piet: Waarom vraag je dat? Wat maakt het uit? Het is toch goed zo, toch?",
        "Jan: Omdat ik nu wel tijd heb en mensen wil leren kennen.",
    )
    voorstel = stel_voor(segmenten, gespreksleiders=["Els de Vries (opbouwwerker)"])
    assert voorstel.gespreksleiders == ["Els de Vries"]
    assert _sprekers(voorstel) == ["Jan", "Piet", "Jan"]
    assert "\n\n[Els de Vries: Hoe kwam dat?]\nIk werkte altijd" in voorstel.passages[0].tekst


def test_roles_chosen_by_a_person_override_the_guess():
    bron = lees_pad(VOORBEELDEN / "transcript-ontmoetingsplek.txt")
    voorstel = stel_voor(bron, rollen={"Marieke": ROL_INWONER, "Wilma": ROL_PROFESSIONAL, "Onbekend": ROL_FACILITATOR})
    assert "Marieke" in _sprekers(voorstel)
    assert voorstel.rollen["Wilma"] == ROL_PROFESSIONAL
    assert next(p for p in voorstel.passages if p.spreker == "Wilma").rol == ROL_PROFESSIONAL
    assert "Onbekend" not in voorstel.rollen


def test_profession_in_the_label_suggests_professional():
    segmenten = _regels(
        "Sara (jongerenwerker): Bij ons komen elke week twintig jongeren, vaak dezelfde.",
        "Tom: Ik kom hier elke week, omdat het thuis te druk is om huiswerk te maken.",
        "Sara: Dat horen we vaker van de jongeren uit de flats hier.",
    )
    voorstel = stel_voor(segmenten)
    assert voorstel.rollen == {"Sara": ROL_PROFESSIONAL, "Tom": ROL_INWONER}
    assert [p.rol for p in voorstel.passages] == [ROL_PROFESSIONAL, ROL_INWONER, ROL_PROFESSIONAL]


def test_no_facilitator_guessed_without_clear_questioner():
    segmenten = _regels(
        "Ans: Ik woon hier al veertig jaar en ken iedereen in de straat.",
        "Kees: Dat geldt voor mij ook, maar de jongeren ken ik niet meer.",
        "Ans: Die groeten niet eens, terwijl ik ze als baby nog gekend heb?",
    )
    voorstel = stel_voor(segmenten)
    assert voorstel.gespreksleiders == []
    assert _sprekers(voorstel) == ["Ans", "Kees", "Ans"]


def test_consecutive_lines_of_one_speaker_are_merged_and_wrapped_lines_continue():
    segmenten = _regels(
        "Marieke: Vertelt u eens?",
        "",
        "Gerrit: Ik kwam hier voor het eerst",
        "in de winter, toen het koud was.",
        "",
        "Gerrit: Nu kom ik elke dinsdag en donderdag.",
        "",
        "Marieke: Wat doet u dan?",
        "",
        "Gerrit: Koffie schenken en kaarten met de mannen.",
    )
    voorstel = stel_voor(segmenten, gespreksleiders=["Marieke"])
    assert [p.tekst for p in voorstel.passages] == [
        "Ik kwam hier voor het eerst in de winter, toen het koud was. Nu kom ik elke dinsdag en donderdag."
        "\n\n[Marieke: Wat doet u dan?]\nKoffie schenken en kaarten met de mannen.",
    ]
    assert (voorstel.passages[0].positie, voorstel.passages[0].positie_eind) == (3, 10)


def test_header_keys_without_separator_or_recurring_speakers():
    segmenten = _regels(
        "Datum: 3 juni 2026",
        "Plaats: Buurthuis Oost",
        "",
        "Fatima: Ik ben hier gekomen via de buurtvrouw, en nu help ik zelf mee.",
        "",
        "Henk: Voor mij is het de enige plek waar ik nog mensen spreek in de week.",
    )
    voorstel = stel_voor(segmenten)
    assert _sprekers(voorstel) == ["Fatima", "Henk"]
    assert voorstel.kopgegevens == {"Datum": "3 juni 2026", "Plaats": "Buurthuis Oost"}


def test_without_speakers_every_paragraph_is_a_passage():
    tekst = (
        "Mijn verhaal\n\n"
        "Ik woon sinds vorig jaar in de wijk en kende eerst niemand. Via de buurtkamer\n"
        "heb ik nu een paar vrienden.\n\n"
        "Wat ik mis is een plek voor jongeren. Die hangen nu op straat rond.\n"
    )
    voorstel = stel_voor(lees_transcript(tekst.encode(), "verhaal.txt"))
    assert voorstel.met_sprekers is False
    assert [p.spreker for p in voorstel.passages] == [None, None]
    assert voorstel.passages[0].tekst == (
        "Ik woon sinds vorig jaar in de wijk en kende eerst niemand. Via de buurtkamer heb ik nu een paar vrienden."
    )
    assert voorstel.passages[0].context == "Mijn verhaal"  # a short title goes with what follows
    assert voorstel.passages[1].positie == 6


def test_sentence_with_colon_is_not_a_speaker():
    segmenten = _regels(
        "Marieke: Hoe was het?",
        "Gerrit: Mooi. Toen zei ik: kom maar binnen, de koffie staat klaar voor iedereen.",
        "Maar wat ik merkte: niemand kwam, behalve de buurvrouw van driehoog.",
        "Marieke: Jammer?",
    )
    voorstel = stel_voor(segmenten)
    assert _sprekers(voorstel) == ["Gerrit"]
    assert "Maar wat ik merkte: niemand kwam" in voorstel.passages[0].tekst


def test_proposal_round_trips_through_json():
    import json

    voorstel = stel_voor(lees_pad(VOORBEELDEN / "transcript-jongerenwerk.srt"))
    terug = Voorstel.from_dict(json.loads(json.dumps(voorstel.to_dict())))
    assert terug == voorstel


def test_name_matching():
    assert naam_past_bij("Marieke", "Marieke de Vries (welzijnswerker)")
    assert naam_past_bij("Marieke de Vries", "marieke")
    assert not naam_past_bij("Mo", "Monique")
    assert not naam_past_bij("Mo", "")


def test_role_as_label_and_names_beyond_ascii():
    segmenten = _regels(
        "Interviewer: Fijn dat u er bent. Hoe bevalt de buurt?",
        "Łukasz: Goed. Ik woon hier sinds twee jaar en ken nu de buren van beneden.",
        "Interviewer: Mooi.",
        "Şükrü: Bij mij is het anders, ik ken nog bijna niemand in de straat.",
    )
    voorstel = stel_voor(segmenten)
    assert voorstel.gespreksleiders == ["Interviewer"]
    assert _sprekers(voorstel) == ["Łukasz", "Şükrü"]
    assert voorstel.passages[0].context == "Interviewer: Fijn dat u er bent. Hoe bevalt de buurt?"
