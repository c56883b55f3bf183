"""Pseudonymisation: recall on names of every origin and on contact details, and false positives,
against the previous pseudonymiser measured in the same run.

Sets:

* ``voorbeelden``: the 90 example stories: the identifying details a person marked in the 14
  stories that have any (the list in tests/nlp/test_pseudonymise.py), and how many ordinary
  words are replaced in the other 76;
* ``herkomst``: synthetic stories per origin group (Dutch, Turkish, Moroccan, Surinamese,
  Antillean, Polish, Syrian, Eritrean, Ukrainian), the name in nine everyday contexts: full name,
  first name or surname alone, mid-sentence and sentence-initial, after "mevrouw"/"mijn buurman",
  and in lower case ("annie de boer"). The test names do NOT come from the product's list
  (names-dataset, ``nlp_models/namen.tsv.gz``): Dutch, Turkish, Polish and Moroccan/Maghreb
  names come from Faker's nl_NL, tr_TR, pl_PL and fr_DZ person providers, Ukrainian ones from
  Faker's uk_UA transliterated to Latin script here, and Surinamese, Antillean, Syrian and
  Eritrean ones (no Faker locale) from the short lists below, written for this benchmark;
* ``contacten``: phone numbers in every Dutch format (also full-width digits, zero-width and
  no-break spaces), e-mail plain and written out ("naam [at] gmail [dot] com" and variants),
  street + house number + postcode, IBAN and BSN, from Faker's nl_NL providers;
* ``neutraal``: texts without any name: sentences with words that are also names (Faker nl_NL
  first and last names that are ordinary Dutch words in the OpenTaal list, when Debian's
  hunspell-nl is installed, else a short fixed list) in ordinary use, lower case mid-sentence
  and capitalised at the start, and place names after "naar"/"in".

* ``zinnen zonder namen`` (development, ``benchmarks/data/zinnen-zonder-namen.txt``): name-free
  sentences a reviewer wrote to find false positives (dishes, places after verbs, groups, brands,
  chat-style lower case), as written and in lower case; the rules were adjusted against them.

* ``eigen`` (held out, ``benchmarks/pseudonimisering_eigen.py``): names and sentences written by
  hand for issue 12, never used to develop the rules (those were developed on ``herkomst``), and
  36 ordinary sentences with words that are also names (roos, hoop, storm, noor, visser, ...).

A detail counts as found when none of its identifying parts is left in ``tekst_publiek``. The
false-positive rate is the share of words of name-free texts that a placeholder replaced.
Baselines, loaded from git and run on the same docs in the same run: ``main``, the pseudonymiser
at ``MAIN_REV`` (before the issue-12 rules), and ``baseline``, at ``BASELINE_REV`` (before names
of every origin). Prints JSON.

    VERHALENBANK_SPACY_MODEL=../shared/models/nl_verhalen_sm .venv/bin/python benchmarks/bench_analyse_pseudonimisering.py [stories per group]
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import types
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "nlp"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from verhalenbank.nlp.analysis import analyse_texts  # noqa: E402
from verhalenbank.nlp.normalise import normalise  # noqa: E402
from verhalenbank.nlp.pipeline import get_pipeline  # noqa: E402

SHARED = ROOT.parent / "shared"
# The pseudonymiser users had before issue 12 landed (commit 0b1c4e4): Faker nl_NL/nl_BE names,
# no normalisation.
BASELINE_REV = os.environ.get("BASELINE_REV", "1bda35f7216c104199e6705d481c1bd73da2f49b")
# Optional: another commit to compare with (one that has normalise.py). The intermediate version
# this slot used to name (names-dataset list before the item-6 rules) was never landed on main.
MAIN_REV = os.environ.get("MAIN_REV", "")
PLACEHOLDER_RE = re.compile(r"\[(?:naam \d+|telefoonnummer|e-mail|postcode|adres|bsn|iban)\]")

# Written for this benchmark (no Faker locale for these groups); not from the product's list.
HAND_NAMES = {
    "surinaams": (
        "Sunita Ravi Anjali Rakesh Priya Kiran Reshma Sarita Dewi Sharmila Kenneth Marlon Sheryl "
        "Romeo Ricardo Jennifer Natasha Shanti Vikash Rajesh".split(),
        "Jagessar Ramdin Mahabier Ramautar Sewdien Kalloe Soekhlal Baldewsingh Karijo Pinas Linger "
        "Wijngaarde Sabajo Doelwijt Ramsaran Bissumbhar Mangroe Gangaram Kromodimedjo Wongsodikromo".split(),
    ),
    "antilliaans": (
        "Shurandy Giovanni Rozelin Jeanette Shermayra Jairzinho Genaro Eugenio Dayenne Ruthmila "
        "Gregorio Sharlon Jurich Roderick Migueline Jearline Nathaly Curtley Ashley Rignald".split(),
        "Martina Isenia Rosaria Girigorie Pieternella Statia Maduro Leito Croes Winklaar Janga "
        "Koeiman Daal Clarinda Elhage Monte Wernet Cijntje Tromp Sillé".split(),
    ),
    "syrisch": (
        "Noor Rama Lama Ghaith Bashar Hiba Yaman Tarek Rasha Khaled Omar Ahmad Mohammad Rawan "
        "Yara Hamza Abdulrahman Bayan Shadi Ranim".split(),
        "Alhassan Haddad Khoury Almasri Hamwi Shami Halabi Darwish Kassab Alahmad Hamdan Sabbagh "
        "Jaber Haidar Othman Alali Kanaan Nasser Mansour Hijazi".split(),
    ),
    "eritrees": (
        "Senait Tesfay Yonas Semhar Filmon Yohannes Mussie Luwam Ruta Selam Meron Freweyni Tsega "
        "Hagos Biniam Haben Winta Aman Kibrom Saba".split(),
        "Tesfamariam Ghebremedhin Haile Tekle Berhane Gebremichael Habte Kidane Woldemariam "
        "Asmerom Mehari Tewolde Yemane Ghebreyesus Okbazghi Weldemichael Tesfazghi Andemariam "
        "Gebrehiwet Abraha".split(),
    ),
}
FAKER_GROUPS = {"nederlands": "nl_NL", "turks": "tr_TR", "pools": "pl_PL", "marokkaans": "fr_DZ", "oekraiens": "uk_UA"}

_UK = dict(zip("абвгґдезиіклмнопрстуфхцчшщьюяєїйжʼ'", [
    "a", "b", "v", "h", "g", "d", "e", "z", "y", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
    "f", "kh", "ts", "ch", "sh", "shch", "", "iu", "ia", "ie", "i", "i", "zh", "", "",
]))
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def transliterate_ukrainian(name: str) -> str:
    """Ukrainian Cyrillic → Latin (the official 2010 table, initial ye/yi/y/yu/ya)."""
    out = []
    for i, ch in enumerate(name):
        lower = ch.lower()
        latin = _UK_INITIAL[lower] if (i == 0 or not name[i - 1].isalpha()) and lower in _UK_INITIAL else _UK.get(lower, ch)
        out.append(latin.capitalize() if ch.isupper() else latin)
    return "".join(out)


# (context, template): {f} first name, {l} surname, {n} full name; lower-case contexts lower them.
NAME_TEMPLATES = [
    ("volledig", "Gisteren kwam {n} langs om te helpen met de tuin."),
    ("volledig_zinsbegin", "{n} brengt elke week soep naar de buren."),
    ("voornaam", "Samen met {f} ga ik naar de markt."),
    ("voornaam_zinsbegin", "{f} helpt mij met de boodschappen."),
    ("voornaam_zei", "{f} zei dat het goed ging met de buurt."),
    ("achternaam_titel", "Ik sprak mevrouw {l} bij de koffieochtend."),
    ("achternaam", "Later belde {l} nog even over de afspraak."),
    ("relatie", "Mijn buurman {f} repareert fietsen voor iedereen."),
    ("kleine_letters", "gisteren kwam {n} langs, dat was gezellig."),
]


def _test_names(group: str, count: int, rng: random.Random) -> list[tuple[str, str]]:
    if group in HAND_NAMES:
        firsts, lasts = HAND_NAMES[group]
        return [(rng.choice(firsts), rng.choice(lasts)) for _ in range(count)]
    from faker import Faker

    faker = Faker(FAKER_GROUPS[group])
    faker.seed_instance(rng.randint(0, 10**6))
    pairs = [(faker.first_name(), faker.last_name()) for _ in range(count)]
    if group == "oekraiens":
        pairs = [(transliterate_ukrainian(f), transliterate_ukrainian(last)) for f, last in pairs]
    return pairs


def _parts(text: str) -> list[str]:
    particles = {"van", "de", "der", "den", "ter", "ten", "te", "het", "el", "al"}
    return [p for p in re.findall(r"[\w'’-]+", text) if len(p) > 2 and p.lower() not in particles]


def origin_stories(per_group: int, seed: int = 12) -> list[tuple[str, str, str, list[str]]]:
    """(group, context, text, parts that must not survive)."""
    rng = random.Random(seed)
    stories = []
    for group in ["nederlands", "turks", "marokkaans", "surinaams", "antilliaans", "pools", "syrisch", "eritrees", "oekraiens"]:
        for first, last in _test_names(group, per_group, rng):
            context, template = rng.choice(NAME_TEMPLATES)
            full = f"{first} {last}"
            if context == "kleine_letters":
                first, last, full = first.lower(), last.lower(), full.lower()
            text = template.format(f=first, l=last, n=full)
            if "{l}" in template:
                secret = last
            elif "{f}" in template:
                secret = first
            else:
                secret = full
            filler = rng.choice([
                "Het was een fijne middag.", "We dronken koffie in het buurthuis.",
                "De kinderen speelden buiten.", "Iedereen hielp een handje mee.",
            ])
            stories.append((group, context, f"{filler} {text}", _parts(secret)))
    return stories


PHONE_FORMATS = [
    "06-{a}{b}", "06 {a} {b}", "06{a}{b}", "06 {p} {q} {r} {s}", "06.{p}.{q}.{r}.{s}", "+31 6 {a}{b}",
    "+31612{c6}", "0031 6 {a}{b}", "+31 (0)6 {a}{b}", "020-{c7}", "020 {c3} {c4}", "0320-{c6}",
    "06 - {a} {b}",
]
FULL_WIDTH = str.maketrans("0123456789+-()", "０１２３４５６７８９＋－（）")


def _phone(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(8))
    number = rng.choice(PHONE_FORMATS).format(
        a=digits[:4], b=digits[4:], p=digits[:2], q=digits[2:4], r=digits[4:6], s=digits[6:],
        c6=digits[:6], c7=digits[:7], c3=digits[:3], c4=digits[3:7],
    )
    hide = rng.random()
    if hide < 0.2:
        return number.translate(FULL_WIDTH)
    if hide < 0.4:
        return "\u200b".join(number)  # a zero-width space between every character
    if hide < 0.5:
        return number.replace(" ", "\u00a0")
    return number


EMAIL_FORMS = [
    "{u}@{d}.{t}", "{u} [at] {d} [dot] {t}", "{u}(at){d}(dot){t}", "{u} at {d} dot {t}",
    "{u} [at] {d} [punt] {t}", "{u} (at) {d}.{t}", "{u} [AT] {d} [DOT] {t}", "{u}@{d}[dot]{t}",
]
CONTACT_TEMPLATES = {
    "telefoonnummer": ["Je kunt me bellen op {x} als er iets is.", "Haar nummer is {x}, bel gerust."],
    "e-mail": ["Mail gerust naar {x} voor meer informatie.", "Mijn mail is {x} dus stuur maar."],
    "adres": ["Ik woon op {x} in de wijk."],
    "postcode": ["Het buurthuis zit in postcode {x}."],
    "bsn": ["Mijn BSN is {x}, dat moest ik opgeven."],
    "iban": ["Het geld kan naar rekening {x} worden overgemaakt."],
}


def contact_stories(count: int, seed: int = 13) -> list[tuple[str, str, list[str]]]:
    from faker import Faker

    faker = Faker("nl_NL")
    faker.seed_instance(seed)
    rng = random.Random(seed)
    stories = []
    for _ in range(count):
        kind = rng.choice(sorted(CONTACT_TEMPLATES))
        if kind == "telefoonnummer":
            value = _phone(rng)
            parts = ["#" + re.sub(r"\D", "", normalise(value).text)[-6:]]
        elif kind == "e-mail":
            user, domain = faker.user_name(), rng.choice(["gmail", "hotmail", "ziggo", "kpnmail", "outlook"])
            value = rng.choice(EMAIL_FORMS).format(u=user, d=domain, t=rng.choice(["com", "nl"]))
            parts = [user]
        elif kind == "adres":
            value = f"{faker.street_address()}, {faker.postcode().replace('SS', 'ST').replace('SA', 'ST').replace('SD', 'ST')}"
            parts = [value.split(",")[0]]
        elif kind == "postcode":
            value = faker.postcode()
            while value[-2:] in ("SA", "SD", "SS"):  # letters PostNL never issues; Faker does
                value = faker.postcode()
            parts = [value]
        elif kind == "bsn":
            value = faker.ssn()
            if rng.random() < 0.3:
                value = f"{value[:4]}.{value[4:6]}.{value[6:]}"
            parts = ["#" + re.sub(r"\D", "", value)[-5:]]
        else:
            value = faker.iban()
            if rng.random() < 0.5:
                value = " ".join(value[i:i + 4] for i in range(0, len(value), 4))
            parts = ["#" + re.sub(r"\s", "", value)[-6:]]
        stories.append((kind, rng.choice(CONTACT_TEMPLATES[kind]).format(x=value), parts))
    return stories


FALLBACK_NAME_WORDS = ["hoop", "roos", "bas", "dag", "mag", "wil", "lot", "visser", "bakker", "kok", "boer", "graaf", "koster", "smit"]
NEUTRAL_TEMPLATES = [
    "Ik dacht vaak aan {w} toen ik jong was.",
    "{W} was het onderwerp van het gesprek in de buurt.",
    "Er stond een {w} in het verhaal van de krant.",
    "Het woord {w} kwam steeds terug.",
]
PLACES = ["Hoorn", "Haarlem", "Zwolle", "Almelo", "Lelystad", "Weert", "Ede", "Vaals", "Tiel", "Sneek"]


def name_words() -> list[str]:
    """Faker nl_NL first and last names that are also ordinary Dutch words (OpenTaal)."""
    dictionary = Path("/usr/share/hunspell/nl.dic")
    if not dictionary.exists():
        return FALLBACK_NAME_WORDS
    from faker.providers.person.nl_NL import Provider

    words = {line.split("/", 1)[0] for line in dictionary.read_text(encoding="utf-8").splitlines()[1:]}
    names = set(Provider.first_names) | {n.split()[-1] for n in Provider.last_names}
    return sorted({n.lower() for n in names if n.lower() in words and len(n) >= 3})


def neutral_texts(seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for word in name_words():
        template = rng.choice(NEUTRAL_TEMPLATES)
        texts.append(template.format(w=word, W=word.capitalize()))
    for place in PLACES:
        texts.append(f"We gingen met de trein naar {place} en bleven een nacht in {place}.")
    return texts


REVIEW_SENTENCES = Path(__file__).resolve().parent / "data" / "zinnen-zonder-namen.txt"


def review_sentences() -> list[str]:
    """Name-free sentences: dishes, places after verbs, groups, brands, chat-style text."""
    lines = [line.strip() for line in REVIEW_SENTENCES.read_text(encoding="utf-8").splitlines()]
    sentences = [line for line in lines if line and not line.startswith("#")]
    return sentences + [s.lower() for s in sentences if s.lower() != s]


# --- Running both pseudonymisers ---------------------------------------------------------------


def load_baseline(rev: str = BASELINE_REV, label: str = "baseline"):
    """The pseudonymise and names modules as they were at ``rev``, or None without git."""
    sources = {}
    for module, path in (("names", "verhalenbank/nlp/names.py"), ("pseudonymise", "verhalenbank/nlp/pseudonymise.py")):
        try:
            sources[module] = subprocess.run(
                ["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
    names = types.ModuleType(f"{label}_names")
    sys.modules[f"{label}_names"] = names
    # Older versions kept the package data under the project root (now inside the package).
    names_code = sources["names"].replace("import PROJECT_ROOT", "import PACKAGE_DIR as PROJECT_ROOT")
    exec(compile(names_code, f"{label}_names", "exec"), names.__dict__)
    pseudo = types.ModuleType(f"{label}_pseudonymise")
    sys.modules[f"{label}_pseudonymise"] = pseudo
    code = sources["pseudonymise"].replace("from verhalenbank.nlp.names import", f"from {label}_names import")
    exec(compile(code, f"{label}_pseudonymise", "exec"), pseudo.__dict__)
    return pseudo


def ours(texts: list[str]) -> list[str]:
    return [a.tekst_publiek for a in analyse_texts([(t, None) for t in texts])]


def baseline(module, texts: list[str], normalised: bool = False) -> list[str]:
    """``normalised``: give the old pseudonymiser the normalised text and its source, as the
    product's analysis does (for a version that has normalise.py, like ``main``)."""
    from verhalenbank.nlp.components import PSEUDONYMISER

    nlp = get_pipeline().nlp
    component = nlp.get_pipe(PSEUDONYMISER)
    disable = [name for name in nlp.pipe_names if name.startswith("verhalenbank_")]
    if not normalised:
        return [
            module.pseudonymise(doc, None, component.use_entities, component.common_words).text
            for doc in nlp.pipe(texts, disable=disable)
        ]
    sources = [normalise(text) for text in texts]
    return [
        module.pseudonymise(doc, None, component.use_entities, component.common_words, source).text
        for doc, source in zip(nlp.pipe([s.text for s in sources], disable=disable), sources)
    ]


def _survives(public: str, part: str) -> bool:
    """Whether ``part`` is still readable in ``public``: looked for in the text as a reader sees
    it (zero-width and bidi characters out, full-width digits as 0–9); a part starting with
    "#" is a run of digits/letters, looked for with all separators taken out."""
    seen = normalise(public).text
    if part.startswith("#"):
        return part[1:] in re.sub(r"[^0-9A-Za-z]", "", PLACEHOLDER_RE.sub("|", seen))
    return bool(re.search(rf"(?<![\w]){re.escape(part)}(?![\w])", seen))


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def recall_by(publics: list[str], keys: list[str], parts_list: list[list[str]], label: str = "") -> dict:
    totals, found = defaultdict(int), defaultdict(int)
    for public, key, parts in zip(publics, keys, parts_list):
        totals[key] += 1
        hit = not any(_survives(public, p) for p in parts)
        found[key] += hit
        if not hit and label and os.environ.get("SHOW_MISSES") == label:
            print(f"miss {key}: {public}", file=sys.stderr)
    result = {k: _rate(found[k], totals[k]) for k in sorted(totals)}
    result["alle"] = _rate(sum(found.values()), sum(totals.values()))
    return result


def false_positives(originals: list[str], publics: list[str]) -> dict:
    words = sum(len(re.findall(r"\w+", t)) for t in originals)
    replaced = 0
    for original, public in zip(originals, publics):
        # Words of the original that are gone from the public text.
        kept = re.findall(r"\w+", PLACEHOLDER_RE.sub(" ", public))
        replaced += max(0, len(re.findall(r"\w+", original)) - len(kept))
    changed = sum(o != p for o, p in zip(originals, publics))
    return {"texts": len(originals), "texts_changed": changed, "words": words, "words_replaced": replaced,
            "false_positive_rate": round(replaced / words, 4) if words else None}


def compare(new: dict, main_: dict | None, old: dict | None) -> dict:
    return {"ours": new, "main": main_, "baseline": old}


def main() -> None:
    per_group = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    from test_pseudonymise import PII_IN_EXAMPLES

    old = load_baseline()
    run_old = (lambda texts: baseline(old, texts)) if old else (lambda texts: None)
    before = load_baseline(MAIN_REV, "main") if MAIN_REV else None
    run_main = (lambda texts: baseline(before, texts, normalised=True)) if before else (lambda texts: None)
    from pseudonimisering_eigen import ORDINARY
    from pseudonimisering_eigen import stories as own_stories

    own = own_stories()

    examples = [json.loads(line) for line in (SHARED / "voorbeelden" / "verhalen.jsonl").open(encoding="utf-8")]
    ex_texts = [s["tekst"] for s in examples]
    with_pii = [i for i, s in enumerate(examples) if s["id"] in PII_IN_EXAMPLES]
    without_pii = [i for i, s in enumerate(examples) if s["id"] not in PII_IN_EXAMPLES]
    ex_keys, ex_parts, ex_index = [], [], []
    for i in with_pii:
        for part in PII_IN_EXAMPLES[examples[i]["id"]]:
            ex_keys.append("voorbeeld")
            ex_parts.append([part])
            ex_index.append(i)

    origin = origin_stories(per_group)
    contacts = contact_stories(per_group * 5)
    neutral = neutral_texts()
    review = review_sentences()

    def measure(run, label: str) -> dict | None:
        ex_public = run(ex_texts)
        if ex_public is None:
            return None
        origin_public = run([t for _, _, t, _ in origin])
        contact_public = run([t for _, t, _ in contacts])
        neutral_public = run(neutral)
        return {
            "voorbeelden_recall": recall_by([ex_public[i] for i in ex_index], ex_keys, ex_parts)["alle"],
            "namen_recall_per_herkomst": recall_by(origin_public, [g for g, _, _, _ in origin], [p for _, _, _, p in origin], label),
            "namen_recall_per_context": recall_by(origin_public, [c for _, c, _, _ in origin], [p for _, _, _, p in origin]),
            "contacten_recall": recall_by(contact_public, [k for k, _, _ in contacts], [p for _, _, p in contacts], label),
            "fout_positief_voorbeelden_zonder_namen": false_positives(
                [ex_texts[i] for i in without_pii], [ex_public[i] for i in without_pii]
            ),
            "fout_positief_neutrale_tekst": false_positives(neutral, neutral_public),
            "fout_positief_zinnen_zonder_namen": false_positives(review, run(review)),
            **measure_own(run, label),
        }

    def measure_own(run, label: str) -> dict:
        own_public = run([t for _, _, t, _ in own])
        ordinary_public = run(ORDINARY)
        return {
            "eigen_namen_recall_per_herkomst": recall_by(
                own_public, [g for g, _, _, _ in own], [p for _, _, _, p in own], "eigen-" + label
            ),
            "eigen_namen_recall_per_context": recall_by(own_public, [c for _, c, _, _ in own], [p for _, _, _, p in own]),
            "eigen_fout_positief_gewone_woorden": false_positives(ORDINARY, ordinary_public),
        }

    new_figures = measure(ours, "ours")  # SHOW_MISSES=ours|main|baseline (eigen-ours ...) prints the misses
    main_figures = measure(run_main, "main")
    old_figures = measure(run_old, "baseline")
    print(json.dumps({
        "model": get_pipeline().name,
        "baseline": f"pseudonymiser at commit {BASELINE_REV[:10]} (Faker nl_NL/nl_BE names, no normalisation)"
        if old else "unavailable (no git history)",
        "main": f"pseudonymiser at commit {MAIN_REV[:10]}" if before else "not compared (set MAIN_REV)",
        "eigen": "held-out hand-written set (benchmarks/pseudonimisering_eigen.py): "
                 f"{len(own)} name sentences, {len(ORDINARY)} ordinary sentences; the rules were not tuned on it",
        "stories_per_origin_group": per_group,
        "contact_stories": len(contacts),
        "neutral_texts": len(neutral),
        "neutral_texts_note": "the neutral set is 277 texts when Debian's hunspell-nl is installed, else 24",
        "zinnen_zonder_namen": f"{len(review)} name-free sentences (benchmarks/data/zinnen-zonder-namen.txt, as "
                               "written and in lower case): a development set, the rules were adjusted against it",
        "test_names": "Faker nl_NL, tr_TR, pl_PL, fr_DZ, uk_UA (transliterated) + hand lists for surinaams, "
                      "antilliaans, syrisch, eritrees; the product uses names-dataset (nlp_models/namen.tsv.gz)",
        "caveat": "the baseline's own name list is Faker nl_NL/nl_BE, so its figure on 'nederlands' is optimistic",
        **{key: compare(new_figures[key], main_figures[key] if main_figures else None,
                        old_figures[key] if old_figures else None) for key in new_figures},
    }, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
