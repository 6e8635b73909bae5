"""Folding of country names into exact lookup keys.

Folding removes everything that varies between agencies' spellings of one
name but never carries meaning: accents, case, punctuation and spacing. It is
deliberately *not* fuzzy; two names resolve to the same country only when
their folded forms are identical.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold"]

# Letters that NFKD does not decompose into a base letter plus a mark.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ł": "l",
        "Ł": "l",
        "ı": "i",
        "&": " and ",
    }
)
_NON_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold a name into its lookup key.

    The steps are: Unicode NFKD decomposition, removal of combining marks
    (accents, diaeresis, cedilla), a few letters that do not decompose
    (``ø``, ``æ``, ``œ``, ``ł``, ...), ``&`` to ``and``, case folding (which
    also turns ``ß`` into ``ss``), every run of non-alphanumeric characters
    to one space, and stripping.

    Args:
        text: Any name as written by an agency.

    Returns:
        The folded key, e.g. ``"cote d ivoire"`` for ``"Côte d'Ivoire"``;
        an empty string when ``text`` holds no letter or digit.

    Examples:
        >>> fold("  HAITÍ ")
        'haiti'
        >>> fold("Trinidad & Tobago")
        'trinidad and tobago'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped.casefold()).strip()
