"""Dutch first and last names for pseudonymisation.

The lists come from Faker's nl_NL and nl_BE person providers (a maintained package), read from
the provider classes at run time rather than copied, plus a small packaged supplement of
traditional Dutch first names that Faker lacks (``nlp_models/voornamen-aanvulling.txt``).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

from verhalenbank.config import PROJECT_ROOT

_LOCALES = ("nl_NL", "nl_BE")
SUPPLEMENT_FILE = PROJECT_ROOT / "nlp_models" / "voornamen-aanvulling.txt"


def _provider_names(attribute_names: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for locale in _LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        for attribute in attribute_names:
            value = provider.__dict__.get(attribute)
            if isinstance(value, dict):
                value = value.keys()
            if isinstance(value, (list, tuple, set, frozenset, type({}.keys()))):
                names.update(str(v) for v in value)
    return names


def _supplement(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    names = _provider_names(("first_names", "first_names_male", "first_names_female"))
    names |= _supplement(SUPPLEMENT_FILE)
    # Single letters and two-letter names ("Bo") cause too many false hits on their own.
    return frozenset(n for n in names if len(n) >= 3 and " " not in n)


@lru_cache(maxsize=1)
def last_names() -> frozenset[str]:
    names = _provider_names(("last_names",))
    return frozenset(n for n in names if len(n) >= 3)


@lru_cache(maxsize=1)
def surname_cores() -> frozenset[str]:
    """The capitalised core of surnames with particles ("van der Veen" → "Veen"): a name only
    when the particles stand before it in the text, since many are also places ("van Haarlem")."""
    cores = set()
    for name in _provider_names(("last_names",)):
        words = name.split()
        if len(words) > 1 and words[-1][:1].isupper() and len(words[-1]) >= 3:
            cores.add(words[-1])
    return frozenset(cores)
