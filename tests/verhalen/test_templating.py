"""The `bron_label` filter: a story's source in plain Dutch on every page, also in the lean app."""

from __future__ import annotations

import pytest

from verhalenbank.verhalen.templating import bron_label


@pytest.mark.parametrize(("bron", "label"), [("transcript", "Vertelsessie"), ("inwoner", "Inwoner"),
                                             ("onbekend", "onbekend"), (None, "")])
def test_a_source_in_words(bron, label):
    assert bron_label(bron) == label


def test_the_filter_is_in_every_app(tmp_path):
    from verhalenbank.app import create_app

    app = create_app({"data_dir": tmp_path, "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}"}, web=False)
    assert app.jinja_env.from_string("{{ 'transcript'|bron_label }}").render() == "Vertelsessie"
