"""Generated stories for load and fault tests: sentences of the 90 example stories recombined."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from tests.support.paths import VOORBEELDEN

_ZIN = re.compile(r"(?<=[.!?])\s+")


def _zinnen() -> list[str]:
    zinnen = []
    with (VOORBEELDEN / "verhalen.jsonl").open(encoding="utf-8") as handle:
        for regel in handle:
            zinnen.extend(z for z in _ZIN.split(json.loads(regel)["tekst"]) if len(z) > 20)
    return zinnen


def verhaal_teksten(aantal: int, seed: int = 8) -> list[str]:
    """`aantal` different story texts of 3–6 sentences each."""
    rng = random.Random(seed)
    zinnen = _zinnen()
    return [" ".join(rng.sample(zinnen, rng.randint(3, 6))) for _ in range(aantal)]


def write_jsonl(path: Path, aantal: int, *, ronde: str, wijken: tuple[str, ...] = ("Atolwijk", "Centrum", "Warande")) -> Path:
    rng = random.Random(aantal)
    with path.open("w", encoding="utf-8") as handle:
        for nummer, tekst in enumerate(verhaal_teksten(aantal), start=1):
            record = {
                "id": f"gen-{nummer:05d}", "tekst": tekst, "bron": "inwoner", "ronde": ronde,
                "wijk": rng.choice(wijken), "datum": "2026-05-01", "toestemming": True, "citeren": False,
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
