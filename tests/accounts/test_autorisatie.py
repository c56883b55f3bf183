"""The menu by role: each role sees only the pages its rights open (the route walk that enforces
the matrix is in test_permissions.py)."""

from __future__ import annotations

import re

import pytest


def _menu(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="(/[a-z/]*)"[^>]*>(?:Verhalen|Zoeken|Tellen|Beoordelen|Rondes|Doelenbomen|'
                      r'Transcripten|Pakketten|Waarderen|Gebruikers|Logboek|Taken)</a>', html)


@pytest.mark.parametrize(("rol", "wel", "niet"), [
    ("beheerder", ["/gebruikers", "/logboek"], []),
    ("aanbieder", ["/verhalen/", "/transcripten/"], ["/zoeken/", "/gebruikers", "/rondes/"]),
])
def test_the_menu_shows_a_role_only_what_it_may_open(client, login, rol, wel, niet):
    login(rol)
    menu = _menu(client.get("/profiel").get_data(as_text=True))
    for pad in wel:
        assert pad in menu, (rol, pad, menu)
    for pad in niet:
        assert pad not in menu, (rol, pad, menu)
