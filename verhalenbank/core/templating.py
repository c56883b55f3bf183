"""Template filters that know no domain: Dutch dates, a score in words.

The domains add their own in create_app(): the menu by role (accounts/autorisatie.py), a story's
source (verhalen/templating.py)."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)


def datum_nl(value: date | datetime | None, met_tijd: bool = False) -> str:
    if value is None:
        return ""
    tekst = f"{value.day} {MAANDEN[value.month - 1]} {value.year}"
    if met_tijd and isinstance(value, datetime):
        tekst += f", {value:%H:%M}"
    return tekst


def init_app(app: Flask) -> None:
    from verhalenbank.core.scores import tag_in_woorden

    app.jinja_env.filters["datum"] = datum_nl
    app.jinja_env.filters["tag_woord"] = tag_in_woorden  # a score in words, never as a percentage
