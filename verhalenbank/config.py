"""Configuration from the environment (INTERFACES §1).

Every entry point (web app, CLI, jobs, tests) reads the same variables, so a script can point
a command at a throw-away data dir and run it end to end.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

# Templates, static files, migrations and data files ship inside the package (wheel-safe).
PACKAGE_DIR = Path(__file__).resolve().parent

DEFAULT_SPACY_MODEL = "nl_core_news_sm"


@dataclass
class Settings:
    data_dir: Path
    database_url: str
    spacy_model: str
    secret_key: str
    search_backend: str = "whoosh"
    https: bool = False  # served over HTTPS only: cookies get the Secure flag
    # Background jobs (core/jobs.py) are left to a worker (the resident doesn't wait); False
    # runs them right after the entry point's commit, in the same process (the unit tests).
    achtergrond_verwerking: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "zoekindex"

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "fotos"

    @property
    def transcript_dir(self) -> Path:
        return self.data_dir / "transcripten"

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "modellen"


def _secret_key(data_dir: Path) -> str:
    """Use VERHALENBANK_SECRET_KEY, else one generated once and kept in the data dir."""
    from_env = os.environ.get("VERHALENBANK_SECRET_KEY")
    if from_env:
        return from_env
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    # Create with 0600 so other local users can't forge sessions.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def normalise_database_url(url: str) -> str:
    """Accept the common `postgresql://` and `postgres://` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_settings(overrides: dict | None = None) -> Settings:
    overrides = overrides or {}
    data_dir = Path(overrides.get("data_dir") or os.environ.get("VERHALENBANK_DATA_DIR") or "instance")
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = overrides.get("database_url") or os.environ.get("DATABASE_URL")
    if not database_url:
        database_url = f"sqlite:///{data_dir / 'verhalenbank.sqlite3'}"
    database_url = normalise_database_url(database_url)
    default_backend = "whoosh"
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        spacy_model=overrides.get("spacy_model")
        or os.environ.get("VERHALENBANK_SPACY_MODEL")
        or DEFAULT_SPACY_MODEL,
        secret_key=overrides.get("secret_key") or _secret_key(data_dir),
        search_backend=overrides.get("search_backend")
        or os.environ.get("VERHALENBANK_ZOEKBACKEND")
        or default_backend,
        https=bool(overrides.get("https", os.environ.get("VERHALENBANK_HTTPS", "") == "1")),
        achtergrond_verwerking=bool(
            overrides.get("achtergrond_verwerking", os.environ.get("VERHALENBANK_VERWERKING", "achtergrond") != "direct")
        ),
        extra=overrides.get("extra", {}),
    )
