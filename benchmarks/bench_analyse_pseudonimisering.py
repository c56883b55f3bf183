"""Pseudonymisation recall per kind of detail, against a simple baseline measured in the same run.

Two sets:

* the 90 example stories: the identifying details a person marked in the 14 stories that have
  any (the same list as tests/nlp/test_pseudonymise.py), and how many of the other 76 stories
  are changed at all (false alarms);
* synthetic stories (default 300) built from Faker's nl_NL provider (names, phone numbers,
  e-mail, postcodes, streets, BSN, IBAN) in everyday Dutch sentences, plus invented names that
  are in no name list (only the context rules can find those), and harmless capitalised words
  (places, meeting places, months) that must survive.

A detail counts as found when none of its identifying parts is left in ``tekst_publiek``.
Baseline: what a pipeline alone gives: spaCy PER entities, plus a naive e-mail pattern
(``\\S+@\\S+``) and any run of 9 or more digits. Prints JSON with recall per kind, ours and
baseline, and the ratio.

    VERHALENBANK_SPACY_MODEL=../shared/models/nl_verhalen_sm .venv/bin/python benchmarks/bench_analyse_pseudonimisering.py [N]
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "nlp"))

from verhalenbank.nlp.analysis import analyse_texts  # noqa: E402
from verhalenbank.nlp.pipeline import get_pipeline  # noqa: E402

SHARED = ROOT.parent / "shared"

# Invented names that are in no first- or last-name list: only context rules can find them.
INVENTED = ["Zorlak", "Quintessa", "Bravik", "Ydrana", "Olwenke", "Tjarda", "Merlijnke", "Ruvano"]
HARMLESS = ["Lelystad", "De Schakel", "Hoorn", "het Buurthuis", "maandag", "Albert Heijn", "Warande"]

# (kind, template): {x} is the detail. Each detail's identifying parts are checked separately.
TEMPLATES = [
    ("naam", "Gisteren kwam {x} langs om te helpen met de tuin."),
    ("naam", "Mijn buurvrouw {x} brengt elke week soep."),
    ("naam", "Ik sprak mevrouw {x} bij de koffieochtend."),
    ("naam", "Meneer {x} van de overkant repareert fietsen."),
    ("naam", "Samen met {x} ga ik naar de markt."),
    ("naam_onbekend", "Mijn buurman {x} helpt met de boodschappen."),
    ("naam_onbekend", "Ik heb mevrouw {x} leren kennen in het buurthuis."),
    ("naam_onbekend", "Mijn naam is {x} en ik woon hier tien jaar."),
    ("telefoonnummer", "Je kunt me bellen op {x} als er iets is."),
    ("telefoonnummer", "Haar nummer is {x}, bel gerust."),
    ("e-mail", "Mail gerust naar {x} voor meer informatie."),
    ("postcode", "Het buurthuis zit in postcode {x}."),
    ("adres", "Ik woon op {x} in de wijk."),
    ("adres", "De bijeenkomst is aan de {x}, naast de bakker."),
    ("bsn", "Mijn BSN is {x}, dat moest ik opgeven."),
    ("iban", "Het geld kan naar rekening {x} worden overgemaakt."),
]
PHONE_FORMATS = ["06-{a}{b}", "06 {a4} {b4}", "06{a}{b}", "+31 6 {a}{b}", "020-{c}", "0320 {d}"]


def _phone(rng: random.Random, faker) -> str:
    if rng.random() < 0.4:
        return faker.phone_number()
    digits = "".join(rng.choice("0123456789") for _ in range(8))
    return rng.choice(PHONE_FORMATS).format(
        a=digits[:4], b=digits[4:], a4=digits[:4], b4=digits[4:], c=digits[:7], d=digits[:6]
    )


def _detail(kind: str, rng: random.Random, faker) -> tuple[str, list[str]]:
    """The detail as written, and the parts that must not survive."""
    if kind == "naam":
        first, last = faker.first_name(), faker.last_name()
        choice = rng.random()
        if choice < 0.4:
            text = f"{first} {last}"
        elif choice < 0.7:
            text = first
        else:
            text = last
        parts = [p for p in re.findall(r"[\w'-]+", text) if p[:1].isupper() and len(p) > 2]
        return text, parts or [text]
    if kind == "naam_onbekend":
        name = rng.choice(INVENTED)
        return name, [name]
    if kind == "telefoonnummer":
        phone = _phone(rng, faker)
        return phone, [phone]
    if kind == "e-mail":
        email = faker.email()
        return email, [email]
    if kind == "postcode":
        code = faker.postcode()
        return code, [code]
    if kind == "adres":
        address = faker.street_address()
        return address, [address]
    if kind == "bsn":
        bsn = faker.ssn()
        return bsn, [bsn]
    if kind == "iban":
        iban = faker.iban()
        if rng.random() < 0.5:
            iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        return iban, [iban]
    raise ValueError(kind)


def synthetic_stories(count: int, seed: int = 11) -> list[tuple[str, list[tuple[str, list[str]]], list[str]]]:
    from faker import Faker

    faker = Faker("nl_NL")
    Faker.seed(seed)
    rng = random.Random(seed)
    stories = []
    for _ in range(count):
        sentences, details = [], []
        for kind, template in rng.sample(TEMPLATES, rng.randint(2, 4)):
            text, parts = _detail(kind, rng, faker)
            sentences.append(template.format(x=text))
            details.append((kind, parts))
        harmless = rng.sample(HARMLESS, 2)
        sentences.append(f"Op {harmless[0]} gaan we naar {harmless[1]}.")
        rng.shuffle(sentences)
        stories.append((" ".join(sentences), details, harmless))
    return stories


def baseline_public(texts: list[str]) -> list[str]:
    """What the pipeline alone gives: PER entities, plus naive e-mail and digit-run patterns."""
    nlp = get_pipeline().nlp
    ours = [name for name in nlp.pipe_names if name.startswith("verhalenbank_")]
    result = []
    for doc in nlp.pipe(texts, disable=ours):
        text = doc.text
        for ent in sorted(doc.ents, key=lambda e: -e.start_char):
            if ent.label_ in ("PER", "PERSON"):
                text = text[:ent.start_char] + "[naam]" + text[ent.end_char:]
        text = re.sub(r"\S+@\S+", "[e-mail]", text)
        text = re.sub(r"\+?\d[\d\s().-]{7,}\d", "[nummer]", text)
        result.append(text)
    return result


def _found(public: str, parts: list[str]) -> bool:
    return not any(re.search(rf"(?<!\w){re.escape(part)}(?!\w)", public) for part in parts)


def recall(publics: list[str], details_per_story) -> dict:
    totals, found = defaultdict(int), defaultdict(int)
    for public, details in zip(publics, details_per_story):
        for kind, parts in details:
            totals[kind] += 1
            found[kind] += _found(public, parts)
    per_kind = {k: round(found[k] / totals[k], 3) for k in sorted(totals)}
    per_kind["alle"] = round(sum(found.values()) / max(sum(totals.values()), 1), 3)
    return per_kind


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    from test_pseudonymise import PII_IN_EXAMPLES

    examples = [json.loads(line) for line in (SHARED / "voorbeelden" / "verhalen.jsonl").open(encoding="utf-8")]
    ex_texts = [s["tekst"] for s in examples]
    ex_ours = [a.tekst_publiek for a in analyse_texts([(t, None) for t in ex_texts])]
    ex_base = baseline_public(ex_texts)
    ex_details = [[("voorbeeld", [part]) for part in PII_IN_EXAMPLES.get(s["id"], [])] for s in examples]
    without_pii = [i for i, s in enumerate(examples) if s["id"] not in PII_IN_EXAMPLES]

    synthetic = synthetic_stories(count)
    syn_texts = [t for t, _, _ in synthetic]
    syn_ours = [a.tekst_publiek for a in analyse_texts([(t, None) for t in syn_texts])]
    syn_base = baseline_public(syn_texts)
    syn_details = [d for _, d, _ in synthetic]

    def harmless_kept(publics):
        kept = total = 0
        for public, (_, _, harmless) in zip(publics, synthetic):
            for word in harmless:
                total += 1
                kept += word in public
        return round(kept / total, 3)

    ours_ex, base_ex = recall(ex_ours, ex_details), recall(ex_base, ex_details)
    ours_syn, base_syn = recall(syn_ours, syn_details), recall(syn_base, syn_details)
    print(json.dumps({
        "model": get_pipeline().name,
        "examples": {
            "details": sum(len(d) for d in ex_details),
            "recall": ours_ex["alle"],
            "baseline_recall": base_ex["alle"],
            "ratio_to_baseline": round(ours_ex["alle"] / base_ex["alle"], 3) if base_ex["alle"] else None,
            "stories_without_details_changed": sum(ex_ours[i] != ex_texts[i] for i in without_pii),
            "baseline_stories_without_details_changed": sum(ex_base[i] != ex_texts[i] for i in without_pii),
            "stories_without_details": len(without_pii),
        },
        "synthetic": {
            "stories": count,
            "recall_per_kind": ours_syn,
            "baseline_recall_per_kind": base_syn,
            "ratio_to_baseline": round(ours_syn["alle"] / base_syn["alle"], 3) if base_syn["alle"] else None,
            "harmless_words_kept": harmless_kept(syn_ours),
            "baseline_harmless_words_kept": harmless_kept(syn_base),
        },
        "note": "naam uses Faker nl_NL names, the same source as the name lists: optimistic; "
                "naam_onbekend are names in no list, found only by context.",
    }, indent=2))


if __name__ == "__main__":
    main()
