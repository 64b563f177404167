"""What every text rule starts from: NFKC and lower case, and what separates words."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["NON_WORD", "WHITESPACE", "fold"]

# Runs of anything but letters, digits and CJK characters: whitespace, ASCII and Chinese punctuation
# (·、，。「」…), symbols, and the underscore, which \w would otherwise keep.
NON_WORD = re.compile(r"[\W_]+")
WHITESPACE = re.compile(r"\s+")


def fold(value: str) -> str:
    """NFKC (full-width letters, digits, brackets and spaces → ASCII), then lower case."""
    return unicodedata.normalize("NFKC", value).lower()
