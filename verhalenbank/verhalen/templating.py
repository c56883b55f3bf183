"""The template filter for a story's source: `{{ verhaal.bron|bron_label }}` in plain Dutch."""

from __future__ import annotations

from flask import Flask

from verhalenbank.verhalen.models import BRON_LABELS


def bron_label(bron: str | None) -> str:
    return BRON_LABELS.get(bron, bron or "")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["bron_label"] = bron_label
