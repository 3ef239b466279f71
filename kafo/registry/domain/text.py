"""Characters a registry text may not hold: control, invisible and bidirectional ones. No Django.

A name or an identifier is read by people and compared by programs. Control characters
(U+0000–U+001F, U+007F–U+009F), format characters (zero-width space and joiners, soft hyphen,
byte-order mark, the bidirectional embeddings, overrides and isolates such as U+202E that show
"Traoré" reversed), line and paragraph separators, private-use, surrogate and unassigned code
points, and the few letters that print as nothing (Hangul fillers, the combining grapheme joiner,
the blank Braille pattern) make two records look alike that a search keeps apart, or the reverse.
Letters with accents, apostrophes, hyphens and ordinary spaces are all allowed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# General categories refused as a whole: control, format, surrogate, private use, unassigned,
# line separator, paragraph separator.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Code points of other categories that print as nothing.
INVISIBLE = frozenset({"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"})


@dataclass(frozen=True)
class Forbidden:
    position: int  # 1-based, as a reader counts
    char: str

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def name(self) -> str:
        return unicodedata.name(self.char, "")


def first_forbidden(text: str) -> Forbidden | None:
    """Return the first character of `text` a registry text may not hold, or None."""
    for index, char in enumerate(text):
        if char in INVISIBLE or unicodedata.category(char) in REFUSED_CATEGORIES:
            return Forbidden(position=index + 1, char=char)
    return None
