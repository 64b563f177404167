"""What every text rule starts from: one canonical form of what people type (:func:`canonical_text`), lower
case (:func:`fold`), and what separates words.

Issue 12, finding 11: a copy of a partner's name passed the duplicate check with an invisible character in it
(U+3164 HANGUL FILLER, a zero-width space, a BOM, a soft hyphen) or in traditional characters (華成 for 华成).
Every key and search text derives from :func:`canonical_text`, so a look-alike is the same name everywhere.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

__all__ = [
    "NON_WORD",
    "WHITESPACE",
    "FORMAT_CHARACTER_RANGES",
    "INVISIBLE_FILLERS",
    "canonical_text",
    "fold",
    "strip_invisible",
]

# Runs of anything but letters, digits and CJK characters: whitespace, ASCII and Chinese punctuation
# (·、，。「」…), symbols, and the underscore, which \w would otherwise keep.
NON_WORD = re.compile(r"[\W_]+")
WHITESPACE = re.compile(r"\s+")

# Characters that show nothing but are letters or marks to Unicode, so \W and \s keep them: the Hangul
# fillers, the combining grapheme joiner, the Khmer inherent vowels and the braille blank.
INVISIBLE_FILLERS = "\u115f\u1160\u3164\uffa0\u034f\u17b4\u17b5\u2800"


# Every format character (category Cf) of Unicode 15: the soft hyphen, the zero-width space, non-joiner and
# joiner, direction marks and embeddings, the word joiner and invisible operators, the BOM, the tag characters,
# and the few script-specific ones. Listed rather than found by scanning all 1.1 million code points (0.5 s, in
# the first search of every process); test_lookalike_names checks the list against the running unicodedata.
FORMAT_CHARACTER_RANGES = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)


@functools.cache
def _invisible() -> dict[int, None]:
    """The format characters and the fillers, to be deleted by ``str.translate``."""
    table: dict[int, None] = {code: None for first, last in FORMAT_CHARACTER_RANGES for code in range(first, last + 1)}
    table.update(dict.fromkeys(map(ord, INVISIBLE_FILLERS)))
    return table


@functools.cache
def _simplified() -> dict[int, int | None]:
    """The invisible characters deleted and traditional characters mapped to simplified, as one translate table.

    From OpenCC's character table (TSCharacters: 華 → 华, 電 → 电), its first choice where it offers several; the
    phrase tables are left out, as a key must map each character alone and the same way every time. Chains are
    followed to the end, so a second pass changes nothing."""
    mapping: dict[str, str] = {}
    source = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt")
    for line in source.read_text(encoding="utf-8").splitlines():
        traditional, _, simplified = line.partition("\t")
        choice = simplified.split()[0] if simplified.split() else ""
        if len(traditional) == 1 and len(choice) == 1 and choice != traditional:
            mapping[traditional] = choice
    table: dict[int, int | None] = dict(_invisible())
    for traditional, simplified in mapping.items():
        seen = {traditional}
        while simplified in mapping and simplified not in seen:
            seen.add(simplified)
            simplified = mapping[simplified]
        table[ord(traditional)] = ord(simplified)
    return table


@functools.cache
def _changed_by(table_of) -> frozenset[str]:
    """The characters ``table_of()`` changes. ``isdisjoint`` with them is the fast way to learn that a text needs
    no change (most names): one hash a character, where ``str.translate`` looks every character up in a dict of
    Python ints (3x slower) and a regular expression class of 4,000 characters scans it (15x slower)."""
    return frozenset(map(chr, table_of()))


def _nfkc_and(value: str, table_of) -> str:
    text = unicodedata.normalize("NFKC", value or "")
    if text.isascii() or _changed_by(table_of).isdisjoint(text):
        return text  # no format character, filler or Chinese character is ASCII
    translated = text.translate(table_of())
    # Deleting a character can join two that compose (Hangul jamo): normalise again, so a second pass is a no-op.
    return unicodedata.normalize("NFKC", translated) if translated != text else text


def strip_invisible(value: str) -> str:
    """``value`` as typed, without its invisible characters (format characters and fillers): what is stored of
    a name, so that what a list shows is all there is."""
    if not value or value.isascii() or _changed_by(_invisible).isdisjoint(value):
        return value
    return value.translate(_invisible())


def canonical_text(value: str, *, simplify: bool = True) -> str:
    """The one form every duplicate key and search text starts from: NFKC (full-width → ASCII), invisible
    characters (category Cf and the fillers) deleted, traditional characters mapped to simplified, whitespace
    collapsed to one space and trimmed. Case is left alone; ``canonical_text(canonical_text(x))`` is
    ``canonical_text(x)``. ``simplify=False`` keeps traditional characters (for their pinyin readings)."""
    return " ".join(_nfkc_and(value, _simplified if simplify else _invisible).split())


def fold(value: str, *, simplify: bool = True) -> str:
    """:func:`canonical_text`, then lower case."""
    return canonical_text(value, simplify=simplify).lower()
