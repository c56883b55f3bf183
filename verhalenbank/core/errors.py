"""User-facing errors.

Operations raise these with a message fit for the person who caused it (Dutch for web users);
routes show the message next to the form, the CLI prints it as a one-line reason and exits
non-zero. Anything else is a bug and may surface as a 500 / traceback.
"""

from __future__ import annotations


class Gebruikersfout(Exception):
    """A user error: bad input, a missing object, a refused action."""

    def __init__(self, bericht: str, *, veld: str | None = None, details: list[str] | None = None):
        super().__init__(bericht)
        self.bericht = bericht
        self.veld = veld
        self.details = details or []

    def __str__(self) -> str:
        return self.bericht


class NietGevonden(Gebruikersfout):
    pass


class Ongeldig(Gebruikersfout):
    pass
