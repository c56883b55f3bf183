"""Build verhalenbank/nlp_models/namen.tsv.gz, the name list the pseudonymiser reads.

Source: the `names-dataset` package (philipperemy/name-dataset, Apache-2.0 licence file; PyPI
metadata says MIT): per-country first- and last-name rankings. This script keeps, per group of
residents common in Dutch towns, the names up to a rank, and marks every name whose lower-case
form is an ordinary Dutch word (OpenTaal word list from Debian's `hunspell-nl`, BSD/CC-BY 3.0,
expanded with hunspell-tools' unmunch; plus spaCy's Dutch stop words) or a Dutch or Flemish
place or a country (Faker's nl_NL/nl_BE address providers), or frequent in Dutch text while no
frequent name (wordfreq, Apache-2.0 code, CC-BY-SA data), so the pseudonymiser asks for more context there.

Run it only to refresh the list (it loads about 1.2 GB at a time, for about two minutes):

    apt-get install hunspell-nl hunspell-tools
    pip install --target /tmp/namenbron 'names-dataset==3.3.1' 'wordfreq==3.1.1'
    PYTHONPATH=$PWD:/tmp/namenbron .venv/bin/python tools/maak_namenlijst.py

The package has no Suriname, Curaçao, Eritrea or Ukraine rankings. Residents of Surinamese and
Antillean origin are in the Dutch ranking itself (the source counts people by where they live),
Eritrean names come from the Dutch, Ethiopian and Sudanese rankings, Ukrainian names in Latin
script from the Polish and Russian ones. Names in other scripts are left out: stories are typed
in Latin script.
"""

from __future__ import annotations

import gc
import importlib
import gzip
import pickle
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "verhalenbank" / "nlp_models" / "namen.tsv.gz"
HUNSPELL_NL = Path("/usr/share/hunspell/nl.dic")

# group → (country, highest rank kept) for first names and last names alike.
GROUPS: dict[str, list[tuple[str, int]]] = {
    "nederlands": [("NL", 20000), ("BE", 4000)],
    "turks": [("TR", 5000)],
    "marokkaans": [("MA", 5000), ("DZ", 1000)],
    "syrisch": [("SY", 5000), ("IQ", 1500), ("LB", 1000)],
    "pools": [("PL", 6000)],
    "oekraiens": [("RU", 4000), ("PL", 12000)],
    "eritrees": [("ET", 5000), ("SD", 3000)],
}
# Names common anywhere (rank ≤ this in any of the package's 105 countries): the package ranks a
# name only in the ten countries with most of its bearers, so "David" or "Jennifer" have no Dutch
# rank, and Surinamese-Hindustani, Javanese and Antillean-Spanish names come through India,
# Indonesia and Latin America.
INTERNATIONAL_RANK = 800
# A name that is also an ordinary Dutch word stays only when it ranks high (real names such as
# Roos or Bas); lower down they are mostly words people typed into a name field.
MAX_RANK_IF_WORD = 1500
FREQUENT_WORD_ZIPF = 4.5  # about 30 per million words
FREQUENT_NAME_RANK = 300
# Two-letter first names (Bo, Jo, Ed, Ad): the package also ranks initials and fragments of that
# length in many countries ("Hj", "Md", "Um"), so only those of the Dutch or Flemish ranking up
# to this rank that have a vowel.
TWO_LETTER_MAX_RANK = 600
VOWELS = set("aeiouy")
LATIN_NAME = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ][A-Za-zÀ-ÖØ-öø-ɏ'’-]*(?: [A-Za-zÀ-ÖØ-öø-ɏ][A-Za-zÀ-ÖØ-öø-ɏ'’-]*)*")
PARTICLES = {"van", "de", "der", "den", "ter", "ten", "te", "het", "in", "op", "'t", "von", "du", "da", "la", "le"}


def dutch_words() -> set[str]:
    from spacy.lang.nl.stop_words import STOP_WORDS as SPACY_STOP_WORDS

    from verhalenbank.nlp.dutch import STOP_WORDS

    words = set(SPACY_STOP_WORDS) | set(STOP_WORDS)
    lines = HUNSPELL_NL.read_text(encoding="utf-8").splitlines()[1:]
    # With hunspell-tools' unmunch, inflected forms too ("kwam", "ben").
    if shutil.which("unmunch"):
        expanded = subprocess.run(
            ["unmunch", str(HUNSPELL_NL), str(HUNSPELL_NL.with_suffix(".aff"))],
            capture_output=True, text=True, check=True,
        ).stdout
        lines += expanded.splitlines()
    for line in lines:
        # OpenTaal writes the Dutch digraph as one character ("konĳn", "pĳl"); NFKC makes it
        # "ij", as people type it. Without this, every word with "ij" was missed as a word.
        word = unicodedata.normalize("NFKC", line.split("/", 1)[0].strip())
        if word and word[0].islower():
            words.add(word)
    # Dutch and Flemish places (Faker's address providers): "Hoorn", "Haarlem" are surnames too.
    for locale in ("nl_NL", "nl_BE"):
        provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        words.update(city.lower() for city in getattr(provider, "cities", ()))
        words.update(country.lower() for country in getattr(provider, "countries", ()))
    return words


def zipf(word: str) -> float:
    """Dutch word frequency (wordfreq, Zipf scale), 0 when wordfreq is not installed."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:
        return 0.0
    return zipf_frequency(word, "nl")


def tidy(name: str) -> str | None:
    """Dataset keys are title-cased ("Van Der Meer"): Dutch particles go back to lower case."""
    name = name.strip()
    if not LATIN_NAME.fullmatch(name):
        return None
    words = name.split(" ")
    if len(words) > 1:
        words = [w.lower() if w.lower() in PARTICLES and i < len(words) - 1 else w for i, w in enumerate(words)]
    return " ".join(words)


def select(path: Path, words: set[str], first_names: bool) -> dict[str, tuple[set[str], bool, int]]:
    with gzip.open(path, "rb") as handle:
        table = pickle.load(handle)
    chosen: dict[str, tuple[set[str], bool, int]] = {}
    for raw, info in table.items():
        ranks = info.get("rank") or {}
        groups = {
            group for group, countries in GROUPS.items()
            if any(ranks.get(country, 10**9) <= limit for country, limit in countries)
        }
        if any(rank <= INTERNATIONAL_RANK for rank in ranks.values()):
            groups.add("internationaal")
        if not groups:
            continue
        name = tidy(raw)
        if name is None or len(name) < 2:
            continue
        if len(name) == 2 and not (
            first_names and min(ranks.get("NL", 10**9), ranks.get("BE", 10**9)) <= TWO_LETTER_MAX_RANK
            and name[1].islower() and VOWELS.intersection(name.lower())
        ):
            continue
        if first_names and " " in name:
            continue  # double first names: the parts are listed on their own
        last_word = name.split(" ")[-1]
        is_word = last_word.lower() in words
        best = min(
            [ranks[country] for g in groups for country, limit in GROUPS.get(g, ())
             if ranks.get(country, 10**9) <= limit]
            + [rank for rank in ranks.values() if "internationaal" in groups and rank <= INTERNATIONAL_RANK]
        )
        # Frequent in Dutch text (wordfreq) while no frequent name: an ordinary word ("Fijn",
        # "Grote"). Frequent names are frequent words too, hence the rank condition.
        if not is_word and best > FREQUENT_NAME_RANK and zipf(last_word.lower()) >= FREQUENT_WORD_ZIPF:
            is_word = True
        if is_word and (best > MAX_RANK_IF_WORD or last_word.lower() in STOP_LIKE):
            continue
        previous = chosen.get(name)
        if previous is not None:
            groups |= previous[0]
            best = min(best, previous[2])
        chosen[name] = (groups, is_word, best)
    del table
    gc.collect()
    return chosen


STOP_LIKE: set[str] = set()


def main() -> None:
    from importlib.util import find_spec

    from spacy.lang.nl.stop_words import STOP_WORDS as SPACY_STOP_WORDS

    from verhalenbank.nlp.dutch import STOP_WORDS

    STOP_LIKE.update(SPACY_STOP_WORDS, STOP_WORDS)
    spec = find_spec("names_dataset")  # located, not imported: its __init__ needs pycountry
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("names-dataset is not installed: pip install 'names-dataset==3.3.1'")
    data = Path(list(spec.submodule_search_locations)[0]) / "v3"
    words = dutch_words()
    rows = []
    for kind, file in (("v", "first_names.pkl.gz"), ("a", "last_names.pkl.gz")):
        for name, (groups, is_word, best) in sorted(select(data / file, words, kind == "v").items()):
            rows.append(f"{name}\t{kind}\t{','.join(sorted(groups))}\t{int(is_word)}\t{best}")
    header = (
        "# naam\tsoort (v=voornaam, a=achternaam)\tgroepen\twoord (1 = ook een gewoon Nederlands woord of een plaatsnaam)\trang (beste, per land)\n"
        "# Generated by tools/maak_namenlijst.py from names-dataset 3.3.1 (Apache-2.0), the OpenTaal\n"
        "# word list (hunspell-nl, BSD/CC-BY 3.0) and Faker's nl_NL/nl_BE places (MIT). Do not edit by hand.\n"
    )
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as handle:
        handle.write(header + "\n".join(rows) + "\n")
    print(f"{len(rows)} names → {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
