"""The text as the pseudonymiser matches it, and the way back to what is shown.

People (or tools) hide details from pattern matching without changing what a reader sees:
zero-width characters inside a phone number or name, full-width digits ("０６-１２３４５６７８"),
or a name typed backwards inside a right-to-left override (U+202E), which a screen shows the right
way round. Three versions of a text:

* ``original``: as stored;
* ``visible``: the original without bidirectional control characters, with the content of
  right-to-left overrides put in the order a reader sees it. It looks the same on screen, and it
  is the text the public version is built from, so no override can flip a placeholder or keep a
  name hidden in the stored public text;
* ``text``: what the matcher and the spaCy pipeline see: ``visible`` without zero-width and other
  invisible characters, each character in NFKC form (full-width digits become 0–9, a no-break
  space a space). ``origin[i]`` is the index in ``visible`` of ``text[i]``.

A match in ``text`` maps back to ``visible`` with :meth:`Normalised.visible_span`, widened over
invisible characters around it, so the placeholder replaces the whole obfuscated span.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Bidirectional controls: marks, embeddings, overrides, isolates (also Arabic letter mark).
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")
# Invisible characters that split a word or number for a matcher but not for a reader.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_RLO, _PDF = "\u202e", "\u202c"
_SPECIAL_RE = re.compile("[" + "".join(sorted(BIDI_CONTROLS | INVISIBLE)) + "]")


@dataclass(frozen=True)
class Normalised:
    original: str
    visible: str
    text: str
    origin: tuple[int, ...] | None  # None: text == visible, index for index

    @property
    def unchanged(self) -> bool:
        return self.origin is None and self.visible == self.original

    def visible_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``visible`` that ``text[start:end]`` came from, with invisible characters
        right before, inside and after it included."""
        if self.origin is None:
            v_start, v_end = start, end
        elif start >= end:
            v_start = v_end = self.origin[start] if start < len(self.origin) else len(self.visible)
        else:
            indices = self.origin[start:end]
            v_start, v_end = min(indices), max(indices) + 1
        while v_start > 0 and self.visible[v_start - 1] in INVISIBLE:
            v_start -= 1
        while v_end < len(self.visible) and self.visible[v_end] in INVISIBLE:
            v_end += 1
        return v_start, v_end


def _has_right_to_left(chars: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in chars)


def _visible(text: str) -> str:
    """Drop bidi controls; the content of a right-to-left override (until its PDF or the end of
    the line) is written in the order it is displayed. Overrides over right-to-left script are
    left in logical order: the bidi algorithm shows those the same way without the override."""
    if not any(ch in BIDI_CONTROLS for ch in text):
        return text
    pieces: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == _RLO:
            end = i + 1
            while end < len(text) and text[end] not in (_PDF, "\n", "\u2029"):
                end += 1
            inner = "".join(c for c in text[i + 1:end] if c not in BIDI_CONTROLS)
            pieces.append(inner if _has_right_to_left(inner) else inner[::-1])
            i = end + 1 if end < len(text) and text[end] == _PDF else end
            continue
        if ch not in BIDI_CONTROLS:
            pieces.append(ch)
        i += 1
    return "".join(pieces)


def normalise(original: str) -> Normalised:
    if not _SPECIAL_RE.search(original) and unicodedata.is_normalized("NFKC", original):
        return Normalised(original, original, original, None)
    visible = _visible(original)
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(visible):
        if ch in INVISIBLE:
            continue
        folded = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
        for part in folded:
            chars.append(part)
            origin.append(index)
    text = "".join(chars)
    if text == visible:
        return Normalised(original, visible, text, None)
    return Normalised(original, visible, text, tuple(origin))
