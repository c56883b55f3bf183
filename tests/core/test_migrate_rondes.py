"""Migration ui_0001: rondes linked to every tree keep only their own municipality's tree."""

from __future__ import annotations

import logging

from sqlalchemy import create_engine, text

from verhalenbank.core.migrate import upgrade


def test_rondes_linked_to_every_tree_are_repaired_or_reported(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'oud.sqlite3'}"
    upgrade(url, "6d1afd66ce49")
    engine = create_engine(url)
    with engine.begin() as c:
        for i, (code, gemeente) in enumerate(
            [("lelystad-sociaal-krachtige-wijken", "Lelystad"), ("hoorn-samenleven", "Hoorn"),
             ("bollenstreek-mantelzorg-in-balans", "Hillegom, Lisse, Noordwijkerhout en Teylingen")], start=1
        ):
            c.execute(text("INSERT INTO doelenbomen (id, code, titel, gemeente, hoofddoel, created_at, updated_at) "
                           "VALUES (:i, :c, :c, :g, 'h', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                      {"i": i, "c": code, "g": gemeente})
        for i, slug in enumerate(["lelystad-2026-voorjaar", "bollenstreek-2026", "najaar-2026", "hoorn-eigen"], start=1):
            c.execute(text("INSERT INTO rondes (id, slug, titel, vraag, is_open, wijken, created_at, updated_at) "
                           "VALUES (:i, :s, :s, 'v', 1, '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"i": i, "s": slug})
            bomen = [1, 2, 3] if slug != "hoorn-eigen" else [2]
            for boom in bomen:
                c.execute(text("INSERT INTO ronde_doelenbomen VALUES (:r, :b)"), {"r": i, "b": boom})
    with caplog.at_level(logging.WARNING):
        upgrade(url)
    with engine.connect() as c:
        rijen = c.execute(text("SELECT r.slug, d.code FROM ronde_doelenbomen rd JOIN rondes r ON r.id = rd.ronde_id "
                               "JOIN doelenbomen d ON d.id = rd.doelenboom_id ORDER BY r.slug, d.code")).fetchall()
    engine.dispose()
    per_ronde: dict[str, list[str]] = {}
    for slug, code in rijen:
        per_ronde.setdefault(slug, []).append(code)
    assert per_ronde["lelystad-2026-voorjaar"] == ["lelystad-sociaal-krachtige-wijken"]
    assert per_ronde["bollenstreek-2026"] == ["bollenstreek-mantelzorg-in-balans"]
    assert per_ronde["hoorn-eigen"] == ["hoorn-samenleven"]  # already chosen on purpose: untouched
    # No name to go on: left as it is, and reported.
    assert len(per_ronde["najaar-2026"]) == 3
    assert "ronde najaar-2026 is linked to every doelenboom" in caplog.text
