"""Where the checkout and the shared example data live."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED = PROJECT_ROOT.parent / "shared"
VOORBEELDEN = SHARED / "voorbeelden"
DOELENBOMEN = SHARED / "doelenbomen"
STAND_IN_MODEL = SHARED / "models" / "nl_verhalen_sm"
