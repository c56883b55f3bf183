"""Pseudonymisation: the PII in the example stories, Dutch formats, and false positives."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.paths import VOORBEELDEN
from verhalenbank.nlp.analysis import analyse_texts
from verhalenbank.nlp.dutch import is_person_verb, looks_like_finite_verb
from verhalenbank.nlp.pseudonymise import is_valid_bsn, is_valid_iban

# What identifies people in the example stories (they are invented, but treated as real).
PII_IN_EXAMPLES = {
    "v-0013": ["Graaf", "Schelphoek 112", "1625 XR", "1928 3746"],
    "v-0014": ["Kok", "Kees"],
    "v-0019": ["Piet", "repaircafe.grotewaal@example.org"],
    "v-0026": ["El Amrani", "Amrani"],
    "v-0043": ["Ans", "Joey"],
    "v-0050": ["Marco"],
    "v-0058": ["Wim", "Riet", "de Boer"],
    "v-0062": ["Van der Meer", "Narcissenlaan 41"],
    "v-0067": ["Ingrid", "Mulder", "Brouwer", "Fluitekruidstraat 17", "8232 KT"],
    "v-0070": ["Henk", "Visser", "06-41827365"],
    "v-0075": ["Marianne", "Hoogeveen", "06-38261947"],
    "v-0081": ["marieke.vanleeuwen@example.com", "vanleeuwen"],
    "v-0082": ["Fatma", "Yıldız"],
    "v-0088": ["0612345678"],
}


def _stories():
    with open(VOORBEELDEN / "verhalen.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def analysed_examples():
    stories = _stories()
    analyses = analyse_texts([(s["tekst"], s.get("titel")) for s in stories])
    return {s["id"]: (s, a) for s, a in zip(stories, analyses)}


def _public(text: str) -> str:
    return analyse_texts([(text, None)])[0].tekst_publiek


@pytest.mark.parametrize("story_id", sorted(PII_IN_EXAMPLES))
def test_example_story_pii_is_removed(analysed_examples, story_id):
    _, analysis = analysed_examples[story_id]
    for secret in PII_IN_EXAMPLES[story_id]:
        assert secret not in analysis.tekst_publiek, f"{secret!r} survived in {story_id}"
    assert "[" in analysis.tekst_publiek


# v-0066 names a child ("naar 'Mila's huis'") that the example set does not mark as a detail;
# first names are replaced everywhere else in the examples (Ans, Joey, Kees, Marco), so hers is too.
UNMARKED_NAMES = {"v-0066": "Mila"}


def test_exactly_the_fourteen_pii_stories_and_one_unmarked_name_change(analysed_examples):
    changed = {sid for sid, (s, a) in analysed_examples.items() if a.tekst_publiek != s["tekst"]}
    assert changed == set(PII_IN_EXAMPLES) | set(UNMARKED_NAMES)
    for sid, name in UNMARKED_NAMES.items():
        story, analysis = analysed_examples[sid]
        assert analysis.tekst_publiek == story["tekst"].replace(name, "[naam 1]")


def test_names_do_not_leak_into_lemmas_or_keywords(analysed_examples):
    _, analysis = analysed_examples["v-0070"]
    assert "henk" not in analysis.lemmas and "visser" not in analysis.lemmas
    assert analysis.trefwoorden  # keywords were made, and none of them is the name
    assert not any("henk" in k or "visser" in k for k in analysis.trefwoorden)


def test_same_person_same_number_also_by_first_name():
    text = "Mijn buurvrouw Ingrid Mulder kwam langs. Later belde Ingrid nog. Ook meneer Kok was er; Kok bleef."
    public = _public(text)
    assert public.count("[naam 1]") == 2
    assert public.count("[naam 2]") == 2
    assert "Ingrid" not in public and "Kok" not in public
    assert public.startswith("Mijn buurvrouw [naam 1] kwam langs.")


def test_title_uses_the_story_numbering():
    analysis = analyse_texts([("Mijn buurvrouw Ans helpt mij. Ans is lief.", "Ans en ik")])[0]
    assert analysis.titel_publiek == "[naam 1] en ik"


@pytest.mark.parametrize(
    "text, secret",
    [
        ("Bel me op 06-12345678 als het kan.", "12345678"),
        ("Bel me op 06 1234 5678 als het kan.", "1234 5678"),
        ("Mijn nummer is +31 6 12345678.", "12345678"),
        ("Mijn nummer is +31 (0)20 123 4567.", "123 4567"),
        ("Het buurthuis: 020-1234567.", "1234567"),
        ("Het dorpshuis: 0320 123456, bel gerust.", "123456"),
        ("Mail naar jan.jansen@voorbeeld.nl voor info.", "jan.jansen"),
        ("Ik woon aan de Dorpsstraat 12 in Lisse.", "Dorpsstraat 12"),
        ("Het adres is Bloemenlaan 3a.", "Bloemenlaan 3a"),
        ("Kom naar de Zeedijk 140.", "Zeedijk 140"),
        ("Ons pand aan het Marktplein 7 is open.", "Marktplein 7"),
        ("Postcode 1234 AB, vergeet dat niet.", "1234 AB"),
        ("Mijn BSN is 111222333, zei ik.", "111222333"),
        ("Stort het op NL91 ABNA 0417 1643 00 graag.", "0417 1643"),
        ("Stort het op NL91ABNA0417164300 graag.", "NL91ABNA0417164300"),
        ("Dhr. Bakker kwam langs.", "Bakker"),
        ("Mevr. de Vries belde.", "Vries"),
        ("Ik sprak mw. Yilmaz over de regeling.", "Yilmaz"),
        ("Mijn zoon Daan helpt me.", "Daan"),
        # A known surname on its own inside a sentence, with particles, and a name in no list
        # after a relation word (the small model calls it a place).
        ("Samen met Wolters ga ik naar de markt.", "Wolters"),
        ("Gisteren kwam van der Veen langs.", "Veen"),
        ("Mijn buurman Bravik helpt mij.", "Bravik"),
    ],
)
def test_dutch_formats_are_replaced(text, secret):
    public = _public(text)
    assert secret not in public, public
    assert re.search(r"\[(naam \d+|telefoonnummer|e-mail|adres|postcode|bsn|iban)\]", public)


@pytest.mark.parametrize(
    "text",
    [
        "Ik woon sinds 2019 in Lelystad en ga graag naar Hoorn.",
        "Elke dinsdag in maart zijn we in De Schakel.",
        "Roos is mijn lievelingsbloem en Hoop doet leven.",
        "In de Grote Waal is een repair café.",
        "Er kwamen 30 mensen, 12 van hen woonden in de straat. Het was 2026.",
        "Bel de gemeente als je hulp nodig hebt.",
        "Het rekeningnummer 123456789 klopt niet.",
        "We lopen van nummer 1 tot en met 48.",
        # Places and shops that look like surnames or start with a first name.
        "Op zaterdag gaan we naar Albert Heijn.",
        "We drinken koffie bij de Molen.",
        "De burgemeester van Haarlem kwam kijken.",
        "Ik verhuisde van Utrecht naar Den Bosch.",
    ],
)
def test_false_positives_survive(text):
    assert _public(text) == text


def test_bsn_eleven_test():
    assert is_valid_bsn("111222333")
    assert is_valid_bsn("123456782")
    assert not is_valid_bsn("123456789")
    assert not is_valid_bsn("000000000")


def test_iban_mod_97():
    assert is_valid_iban("NL91 ABNA 0417 1643 00")
    assert not is_valid_iban("NL92 ABNA 0417 1643 00")
    assert not is_valid_iban("NL91 ABNA 0417 1643")


# --- Names of every origin, hidden characters, obfuscated contacts (issue 12 item 6, 16 item 5) --

# Names written for these tests, not drawn from the product's name list.
NAMES_PER_ORIGIN = {
    "nederlands": ("Ruud", "Hoekstra"),
    "turks": ("Esra", "Yılmaz"),
    "marokkaans": ("Youssef", "El Idrissi"),
    "surinaams": ("Sunita", "Jagessar"),
    "antilliaans": ("Rignald", "Isenia"),
    "pools": ("Katarzyna", "Nowak"),
    "syrisch": ("Noor", "Alhassan"),
    "eritrees": ("Senait", "Tesfay"),
    "oekraiens": ("Oleksandr", "Shevchenko"),
}


@pytest.mark.parametrize("origin", sorted(NAMES_PER_ORIGIN))
def test_names_of_every_origin_are_replaced(origin):
    first, last = NAMES_PER_ORIGIN[origin]
    public = _public(
        f"{first} kwam gisteren langs met soep. Samen met {first} {last} ging ik naar de markt. "
        f"Later belde {last} nog even."
    )
    for part in [first, *last.split()]:
        if part[:1].isupper():
            assert part not in public, public
    assert public.startswith("[naam 1] kwam gisteren langs"), public
    assert public.count("[naam 1]") == 3, public


@pytest.mark.parametrize(
    "text, secrets",
    [
        ("Gisteren kwam annie de boer langs met soep.", ["annie", "boer"]),
        ("ik heb met esra yilmaz gepraat over de buurt.", ["esra", "yilmaz"]),
        ("De thee was bij mevrouw jansen, die naast ons woont.", ["jansen"]),
        ("Mijn buurvrouw senait helpt met de boodschappen.", ["senait"]),
        ("Ik heet ruud en ik woon hier al lang.", ["ruud"]),
    ],
)
def test_lowercase_names_are_replaced(text, secrets):
    public = _public(text)
    for secret in secrets:
        assert not re.search(rf"\b{secret}\b", public, re.IGNORECASE), public
    assert "[naam 1]" in public


@pytest.mark.parametrize(
    "text, secret",
    [
        # The small model starts a sentence before the name: after a lower-case word there is none.
        ("Ik ken Hilayda al twintig jaar, we wonen naast elkaar.", "Hilayda"),
        # A known first name that is also a word ("bas"), inside a sentence.
        ("Ik ken Bas al twintig jaar, we wonen naast elkaar.", "Bas"),
        # An unknown name after "met" that the small model calls a place.
        ("We gingen met Massinissa naar de markt en daarna naar huis.", "Massinissa"),
    ],
)
def test_a_first_name_alone_inside_a_sentence_is_replaced(text, secret):
    public = _public(text)
    assert secret not in public, public
    assert public.count("[naam 1]") == 1, public


@pytest.mark.parametrize(
    "text",
    [
        # No full stop before a new sentence: the words after it stay.
        "ik ging naar huis Daarna heb ik thee gezet.",
        "we zaten te praten Toen kwam de zon erdoor.",
    ],
)
def test_a_missing_full_stop_makes_no_name(text):
    assert _public(text) == text


@pytest.mark.parametrize(
    "text, secrets",
    [
        # A common first name that is no word, then a surname no list knows.
        ("gisteren kwam tamara hoekstrazijl langs.", ["tamara", "hoekstrazijl"]),
        ("gisteren kwam mirjam goedbloed langs.", ["mirjam", "goedbloed"]),
        # A first name of any rank and a surname, neither a Dutch word.
        ("we zagen selin ozturkoglu in de hal.", ["selin", "ozturkoglu"]),
        # Two first names, then a surname that is rare in Dutch: the surname goes with them.
        ("gisteren kwam anna maria kopciuch langs.", ["anna", "maria", "kopciuch"]),
        # A capitalised first name with its surname in lower case.
        ("Gisteren kwam Wiesia kopciuch langs.", ["Wiesia", "kopciuch"]),
    ],
)
def test_lowercase_first_name_and_surname_without_context_are_replaced(text, secrets):
    """Written in lower case, with no title or verb of saying to go on (issue 12)."""
    public = _public(text)
    for secret in secrets:
        assert not re.search(rf"\b{secret}\b", public), public
    assert public.count("[naam 1]") == 1, public


@pytest.mark.parametrize(
    "text",
    [
        "de bus stond stil bij de halte.",
        "we hebben samen appeltaart gebakken en thee gedronken.",
        "mijn buurvrouw zegt altijd goedemorgen tegen iedereen.",
        "sinds de coronatijd voel ik me vaker alleen.",
        "de wijkagent kwam langs voor een praatje.",
        # "boze" is a common first name in the names list, but here the inflected adjective.
        "het gaat over de kinderen, boze buien en schermtijd.",
    ],
)
def test_lowercase_ordinary_word_pairs_survive(text):
    assert _public(text) == text


@pytest.mark.parametrize(
    "text, kept",
    [
        # "meti" is a surname in the list, but "moksi meti" is a dish: a noun before a short surname.
        ("ik heb een pan moksi meti gebracht.", "moksi meti"),
        # A job before a first name: the job stays.
        ("mijn nieuwe klantmanager sanne zegt: kom langs.", "klantmanager"),
        # "sarma" is a surname in the list and rare in Dutch, but here a dish after an unknown noun.
        ("oma maakt lahana sarma in de winter.", "lahana sarma"),
    ],
)
def test_lowercase_nouns_before_a_name_stay(text, kept):
    assert kept in _public(text)


@pytest.mark.parametrize(
    "text",
    [
        # Surnames in the list ("Rozen", "Dure", "Verhoogt") that are ordinary words in Dutch at
        # large, though the small model's vocabulary and the list's word flag miss them.
        "Ik vind rozen de mooiste bloemen.",
        "ik zie dure auto's in onze straat staan.",
        "De woningcorporatie verhoogt de huur elk jaar.",
        "Mijn favoriete stad is Praag.",
        "We zijn Velsen voorbij gereden.",
        # Lower-case place names of two name-like words, right after "in" or "uit".
        "mijn neef woont in hong kong en werkt uit santa cruz.",
    ],
)
def test_ordinary_words_that_are_rare_surnames_survive(text):
    assert _public(text) == text


def test_a_name_keeps_the_verb_after_it():
    assert _public("Mohammed leent ons altijd zijn boormachine.") == "[naam 1] leent ons altijd zijn boormachine."


def test_possessive_keeps_its_ending_and_the_person_keeps_the_number():
    public = _public("Esra kwam langs. Esra's moeder kookt elke vrijdag. Ahmed en Ahmeds broer ook.")
    assert public == "[naam 1] kwam langs. [naam 1]'s moeder kookt elke vrijdag. [naam 2] en [naam 2]s broer ook."


@pytest.mark.parametrize(
    "text, kept",
    [
        ("Jumbo's kassa's zijn altijd snel.", "Jumbo's"),  # a surname in the list, but a shop
        ("Afrika's grootste stad is Lagos.", "Afrika's"),
        ("Dag Esra, Gefeliciteerd met je verjaardag.", "Gefeliciteerd"),  # no list across a comma
        ("Kees en Humanitas organiseren samen een bingo.", "Humanitas"),  # a firm beside a first name
        ("Hij spreekt Khmer en Tigrinya.", "Tigrinya"),
    ],
)
def test_possessives_and_lists_of_things_stay(text, kept):
    assert kept in _public(text)


def test_names_listed_beside_a_known_first_name_are_replaced():
    public = _public("Met Sharella en Jurensley maakten we muziek.")
    assert public == "Met [naam 1] en [naam 2] maakten we muziek."


def test_firms_listed_together_stay():
    assert "Essent" in _public("Ik belde Eneco en Essent over de rekening.")


def test_lowercase_mentions_of_a_named_person_get_the_same_number():
    public = _public("Mijn buurvrouw Esra kwam langs. Later zei esra dat het goed ging.")
    assert public == "Mijn buurvrouw [naam 1] kwam langs. Later zei [naam 1] dat het goed ging."


@pytest.mark.parametrize(
    "text",
    [
        "Bel me op ０６-１２３４５６７８ als het kan.",  # full-width digits
        "Bel me op 06\u200b1234\u200b5678 als het kan.",  # zero-width spaces
        "Bel me op 06-12\u200d34\ufeff5678 als het kan.",  # zero-width joiner, BOM
        "Bel me op +31\u00a06\u00a012345678 als het kan.",  # no-break spaces
    ],
)
def test_hidden_phone_numbers_are_replaced(text):
    public = _public(text)
    assert public == "Bel me op [telefoonnummer] als het kan.", public


@pytest.mark.parametrize(
    "address",
    [
        "naam [at] gmail [dot] com",
        "naam(at)gmail(dot)com",
        "naam at gmail dot com",
        "naam [at] gmail [punt] nl",
        "naam {at} ziggo.nl",
        "Naam.Achternaam [AT] hotmail [DOT] com",
        "naam @ kpn . nl",
    ],
)
def test_written_out_email_addresses_are_replaced(address):
    public = _public(f"Mail gerust naar {address} voor meer informatie.")
    assert public == "Mail gerust naar [e-mail] voor meer informatie.", public


def test_name_behind_a_right_to_left_override_is_replaced():
    # Typed backwards inside U+202E … U+202C, a screen shows "Annie de Boer".
    text = "Ik ging met \u202ereoB ed einnA\u202c naar de markt."
    public = _public(text)
    assert public == "Ik ging met [naam 1] naar de markt.", public
    assert not any(ch in public for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_zero_width_and_bidi_characters_inside_a_name_do_not_survive():
    public = _public("Mijn buurvrouw Es\u200bra kwam langs, en ook meneer \u2066Bakker\u2069.")
    assert public == "Mijn buurvrouw [naam 1] kwam langs, en ook meneer [naam 2].", public


def test_hidden_characters_elsewhere_leave_the_visible_text_alone():
    text = "Het was een mooie dag\u200b in de wijk ＡＢＣ."
    assert _public(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Er was veel hoop in de buurt.",
        "Hoop doet leven, zeggen ze hier.",
        "De roos in de tuin bloeit weer.",
        "Roos is mijn lievelingsbloem.",
        "Dag allemaal, fijn dat jullie er zijn.",
        "Het was een lange dag en we waren moe.",
        "De bakker op de hoek bakt lekker brood.",
        "Mijn vader was visser en mijn oom boer.",
        "Bas speelt in de fanfare, zei de dirigent over het instrument.",
        "We gingen met de trein naar Hoorn en Haarlem.",
        "Ik kan je wel helpen, maar niet vandaag.",
        "Mijn zoon heeft veel geluk gehad.",
        "Storm komt eraan, zei de buurman.",
        "Roos bloeit pas in juni.",
    ],
)
def test_ordinary_words_that_are_names_survive(text):
    assert _public(text) == text


@pytest.mark.parametrize(
    "text, secret",
    [
        ("Noor helpt mij elke week met de boodschappen.", "Noor"),
        ("Roos kookt op woensdag voor de hele straat.", "Roos"),
        ("Mare belde gisteren of ik mee wilde.", "Mare"),
        ("Koos helpt mij met de tuin.", "Koos"),
        ("Lot werkt bij het wijkteam.", "Lot"),
    ],
)
def test_a_first_name_that_is_a_word_opening_a_sentence_before_what_people_do_is_a_name(text, secret):
    public = _public(text)
    assert secret not in public, public
    assert public.startswith("[naam 1] ")


@pytest.mark.parametrize(
    "text",
    [
        # Activities, drinks and apps: common in Dutch text, or with a capital inside.
        "Yoga helpt mij om rustig te worden.",
        "Koffie helpt altijd in de ochtend.",
        "WhatsApp helpt ons om contact te houden.",
        # Ordinary words that the name list has only as names common in any country.
        "Mee helpt mensen met een beperking.",
        "Thee helpt als je verkouden bent.",
        "Duo regelt de studiefinanciering.",
    ],
)
def test_things_opening_a_sentence_before_a_verb_stay(text):
    assert _public(text) == text


def test_name_list_covers_every_origin_and_flags_ordinary_words():
    from verhalenbank.nlp.names import name_lists

    lists = name_lists()
    for first in ["Ruud", "Esra", "Youssef", "Katarzyna", "Oleksandr", "Senait", "Noor", "Sunita", "Jennifer"]:
        assert first in lists.first, first
    for last in ["Yılmaz", "Nowak", "Shevchenko", "Tesfay", "Jagessar", "Isenia", "Alhassan", "Hoekstra"]:
        assert last in lists.last, last
    assert "Boer" in lists.cores and "boer" in lists.last_lower
    assert {"roos", "visser", "hoorn", "bas"} <= lists.words
    assert not {"esra", "ruud", "senait", "annie"} & lists.words


@pytest.mark.parametrize(
    "text, secret",
    [
        ("Jurich zei dat het goed ging met de buurt.", "Jurich"),  # a verb of saying
        ("Toen vroeg Oleksij om een kop koffie.", "Oleksij"),
        ("Şerafeddin helpt mij met de boodschappen.", "Şerafeddin"),  # letters no Dutch word has
        ("Gisteren kwam Jurich Winklaar langs.", "Jurich"),  # unknown first name, known surname
        ("Later belde El Idrissi nog even.", "El"),
    ],
)
def test_names_in_no_list_are_found_by_context(text, secret):
    public = _public(text)
    assert secret not in public, public
    assert "[naam 1]" in public


@pytest.mark.parametrize(
    "text",
    [
        "Ik kom uit Łódź en woon nu hier.",
        "Mijn zus woont in Kabul, we bellen elke week.",
        "We gingen met de trein naar Ede.",
    ],
)
def test_places_that_are_also_names_survive(text):
    assert _public(text) == text


def test_title_with_an_unknown_foreign_name_is_pseudonymised():
    analysis = analyse_texts([("Ze helpt mij elke week met de boodschappen.", "Şerafeddin en ik")])[0]
    assert analysis.titel_publiek == "[naam 1] en ik"


@pytest.mark.parametrize(
    "text, secrets",
    [
        ("Het was een fijne middag. Odarka Tsymbaliuk brengt elke week soep naar de buren.", ["Odarka", "Tsymbaliuk"]),
        ("Gisteren kwam Bohodar Dankiv langs om te helpen met de tuin.", ["Bohodar", "Dankiv"]),
        ("De kinderen speelden buiten. Hryhorii helpt mij met de boodschappen.", ["Hryhorii"]),
        # The stand-in model tags "helpt" after an unknown word as an adjective; its form says verb.
        ("Het was een fijne middag. Prokhir helpt mij met de boodschappen.", ["Prokhir"]),
        # Strings in a model's vocabulary ("oks", "iia") make no compound of a name.
        ("Okseniia kookt elke vrijdag voor de hele straat.", ["Okseniia"]),
        # A small model's parser may start a sentence inside a name.
        ("Het was een fijne middag. Shermayra Girigorie brengt elke week soep naar de buren.",
         ["Shermayra", "Girigorie"]),
    ],
)
def test_names_no_list_knows_are_found_by_their_place_in_the_sentence(text, secrets):
    public = _public(text)
    for secret in secrets:
        assert secret not in public, public
    assert "[naam 1]" in public


@pytest.mark.parametrize(
    "text",
    [
        "Buurtsportcoach helpt ons elke dinsdag met bewegen.",
        "We gingen met de bus naar Nieuw Vennep en daarna terug.",
        # Compounds of words Dutch text has, also where the model's vocabulary lacks a part
        # ("maatje") or offers a fragment ("koning" + "sdag").
        "Taalmaatje helpt mij met de Nederlandse taal.",
        "Koningsdag wordt dit jaar in de wijk gevierd.",
    ],
)
def test_unknown_words_that_are_compounds_or_places_stay(text):
    assert _public(text) == text


@pytest.mark.parametrize(
    "text, entity, label",
    [
        # Labels of the official nl_core_news_* pipelines, which the stand-in model does not have.
        ("Gdańsk is een mooie stad.", "Gdańsk", "GPE"),
        ("Mijn buurman Żubrówka ligt in de kast.", "Żubrówka", "PRODUCT"),
        ("Zij spreekt Khmer en een beetje Nederlands.", "Khmer", "LANGUAGE"),
        ("Mijn zoon rijdt Renault en mijn dochter ook.", "Renault", "PRODUCT"),
    ],
)
def test_places_and_things_the_official_models_label_stay(text, entity, label):
    """The rules that find unknown names leave an entity the model calls a place, a product, a
    language etc. alone, whichever label set the pipeline has (LOC/ORG or GPE/PRODUCT/...)."""
    from spacy.tokens import Span

    from verhalenbank.nlp.components import PSEUDONYMISER
    from verhalenbank.nlp.pipeline import get_pipeline
    from verhalenbank.nlp.pseudonymise import pseudonymise

    nlp = get_pipeline().nlp
    component = nlp.get_pipe(PSEUDONYMISER)
    disable = [name for name in nlp.pipe_names if name.startswith("verhalenbank_")]

    def public(with_label: bool) -> str:
        doc = nlp(text, disable=disable)
        start = next(t.i for t in doc if t.text == entity)
        doc.ents = [Span(doc, start, start + 1, label=label)] if with_label else []
        return pseudonymise(doc, None, component.use_entities, component.common_words).text

    assert entity not in public(with_label=False)  # without the label, a name by its shape
    assert public(with_label=True) == text


@pytest.mark.parametrize(
    "text, secret",
    [
        ("De fiets van Tsymbaliuk is gestolen.", "Tsymbaliuk"),
        ("Wij vroegen Tewolde om te helpen.", "Tewolde"),
    ],
)
def test_a_capitalised_word_dutch_text_never_has_is_a_name_inside_a_sentence(text, secret):
    public = _public(text)
    assert secret not in public
    assert "[naam 1]" in public


@pytest.mark.parametrize(
    "text",
    [
        "We wonen zonder lift in de Zuiderpolder.",  # after an article: a place
        "De bus stopt bij het Colijnplein.",
        "Hij bracht mij naar het Energieloket.",
        "Mijn oom woont in Mendefera.",  # after a place preposition (Dutch text never has the word)
    ],
)
def test_places_after_an_article_or_preposition_stay(text):
    assert _public(text) == text



@pytest.mark.parametrize(
    "word, verb",
    [
        ("helpt", True), ("kookt", True), ("woont", True), ("zegt", True), ("leeft", True), ("reist", True),
        ("woonden", True), ("kwam", True), ("bracht", True),
        ("niet", False), ("echt", False), ("straat", False), ("gezellig", False), ("boodschappen", False),
        ("altijd", False), ("nacht", False), ("fijne", False),
    ],
)
def test_finite_verb_forms_are_known_by_their_shape(word, verb):
    assert looks_like_finite_verb(word) is verb


@pytest.mark.parametrize(
    "word, person",
    [("helpt", True), ("kookte", True), ("belde", True), ("hielp", True), ("woont", True),
     ("komt", False), ("doet", False), ("bloeit", False), ("schijnt", False), ("is", False)],
)
def test_verbs_people_do_are_known_by_their_forms(word, person):
    assert is_person_verb(word) is person


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Gisteren kwam Bo langs met soep.", "Bo"),
        ("Ik heb het aan Jo gevraagd.", "Jo"),
        ("Mijn buurman Ad helpt met de tuin.", "Ad"),
        ("Elke dinsdag komt Ed koffie drinken.", "Ed"),
        ("Ik sprak Mo bij de voedselbank.", "Mo"),
        ("Ik kreeg hulp van Wessel en An.", "An"),
    ],
)
def test_two_letter_first_names_are_replaced(text, secret):
    """Bo, Jo, Ad, Ed, Mo, An: common Dutch and Flemish first names of two letters (from the
    names dataset's Dutch and Flemish rankings; tools/maak_namenlijst.py)."""
    public = _public(text)
    assert secret not in public.split(), public
    assert "[naam 1]" in public


@pytest.mark.parametrize(
    "text",
    ["An sich is dat niet erg.", "Ad hoc overleg was nodig.", "Ik zag Ad hoc-overleg in de wijk.",
     "Ik las het in het AD.", "De EU geeft subsidie.", "Jo-jo's zijn weer populair."],
)
def test_short_words_like_two_letter_names_survive(text):
    assert _public(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Ik was gisteren bij Hilayda op bezoek.", "Hilayda"),
        ("Ik was bij Jurensley thuis.", "Jurensley"),
        ("We gingen bij Tesfalem langs.", "Tesfalem"),
        ("Ik kook elke week voor Hilayda.", "Hilayda"),
        ("Ik zorg al jaren voor Massinissa.", "Massinissa"),
        ("Ik ben mantelzorger voor Dewiyanti.", "Dewiyanti"),
        # Not work words: one has a shift or a task for a person as often as for an employer.
        ("Ik had dienst voor Dewiyanti omdat zij ziek was.", "Dewiyanti"),
        ("Ik kreeg een opdracht voor Dewiyanti van de buurvrouw.", "Dewiyanti"),
        # After 'voor' without care words too, when the model calls the name a place.
        ("Ik kocht een cadeau voor Massinissa.", "Massinissa"),
        ("Ik kreeg een opdracht voor Massinissa van de buurvrouw.", "Massinissa"),
        # Names that end like a place, which the model does not call one (review of 4f9f4e9).
        ("Ik zorg voor Kanwal.", "Kanwal"),
        ("Ik kocht een cadeau voor Habtewolde.", "Habtewolde"),
        ("Ik kook voor Gurveen en haar kinderen.", "Gurveen"),
        # Beside a first name, a word the model calls a place but Dutch text never has.
        ("Ik zag Fatima en Hilayda op de markt.", "Hilayda"),
        # ... and beside a name Dutch text never has, found by its context.
        ("Ik kocht een cadeau voor Massinissa en Hilayda.", "Hilayda"),
    ],
)
def test_an_unknown_name_visited_or_cared_for_is_replaced(text, secret):
    """One visits a person at home ('bij X op bezoek', 'bij X thuis', 'bij X langs') and cares
    or cooks for one ('voor X'): a person, also when the small model calls X a place."""
    assert secret not in _public(text)


@pytest.mark.parametrize(
    "text",
    ["Ik werk nu bij Werkfit en dat gaat goed.", "Ik kreeg hulp bij Kwadraad.",
     "Ik werk voor Incluzio.", "Ik ben vrijwilliger voor Kwadraad.", "Ik werk sinds maart voor Incluzio.",
     "Ik doe dit voor Atolwijk.", "Een nieuwe speeltuin voor Bolderwijk.",
     "Ik zorg voor Haveldorp, daar woon ik al jaren.", "Klant voor Eneco en Essent."],
)
def test_an_organisation_or_a_place_after_bij_or_voor_stays(text):
    """Without a visit, 'bij X' is mostly where someone works or gets help. Welfare
    organisations' names are as unknown to Dutch text as residents' names, and so are many
    wijken: after 'voor', a word the model calls a place is taken for a person only when it
    does not end like a place (-wijk, -dorp, -straat ...) and nobody works for it."""
    assert _public(text) == text


@pytest.mark.parametrize(
    ("text", "public"),
    [("Ik ging met Fatima naar Atolwijk en Bolderwijk.", "Ik ging met [naam 1] naar Atolwijk en Bolderwijk."),
     ("Ik woonde met Fatima in Lisse en Hillegom.", "Ik woonde met [naam 1] in Lisse en Hillegom.")],
)
def test_places_listed_beside_a_name_stay(text, public):
    assert _public(text) == public
