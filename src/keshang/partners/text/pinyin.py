"""Pinyin readings and the search text one search box matches."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence

from .folding import NON_WORD, fold

__all__ = ["pinyin_readings", "search_text"]

# CJK ideographs (basic, extension A–G, compatibility) and 〇: what pypinyin has readings for. Everything
# else passes through as it is, minus punctuation.
_HAN_CLASS = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN = re.compile(rf"[{_HAN_CLASS}]")
_HAN_OR_OTHER = re.compile(rf"([{_HAN_CLASS}]+)|([^{_HAN_CLASS}]+)")

# One character's readings as (full pinyin, initial) pairs, most common first; a non-Chinese run is one
# "reading" that is its own initial, so TCL科技 gives tclkeji and tclkj.
_Slot = tuple[tuple[str, str], ...]


@functools.cache
def _han_readings():
    """pypinyin, loaded on first use: its dictionaries take ~55 MB, which processes that never derive a search
    text (most web requests) need not hold.

    What pypinyin does for a run of Chinese characters, with its work kept: the run is cut into words (longest
    phrase first), and a word's readings depend on the word alone, so each distinct word (市, 贸易, 有限公司) is
    converted once per process. Readings come in the dictionary's form (Style.TONE) and lose their tones through
    a cache of the few thousand syllables; with duplicates dropped (shì, shí → shi) that is Style.NORMAL.
    Together they more than halve the cost of an import's search texts."""
    from pypinyin import Style, pinyin
    from pypinyin.seg.simpleseg import seg
    from pypinyin.style import convert

    toneless = functools.lru_cache(maxsize=None)(functools.partial(convert, style=Style.NORMAL, strict=True))

    @functools.lru_cache(maxsize=65536)
    def word_readings(word: str) -> tuple[tuple[str, ...], ...]:
        # A word that the cut gave back is cut into itself again, so converting it alone reads it as in the run.
        return tuple(
            tuple(toneless(reading) for reading in options)
            for options in pinyin(word, style=Style.TONE, heteronym=True)
        )

    def readings(han: str) -> list[tuple[str, ...]]:
        return [options for word in seg(han) for options in word_readings(word)]

    return readings


def _slots(folded: str) -> list[_Slot]:
    slots: list[_Slot] = []
    for han, other in _HAN_OR_OTHER.findall(folded):
        if han:
            # heteronym=True gives every reading of a character pypinyin cannot place in a phrase (单 → dan,
            # chan, shan) but only the phrase's reading otherwise (重庆 → chong; 银行 → hang).
            for readings in _han_readings()(han):
                slots.append(tuple((reading, reading[:1]) for reading in dict.fromkeys(readings) if reading))
        elif token := NON_WORD.sub("", other):
            slots.append(((token, token),))
    return slots


def _combinations(slots: Sequence[_Slot], limit: int) -> Iterator[tuple[tuple[str, str], ...]]:
    """Combinations of readings, fewest departures from the most common reading first, at most ``limit``.

    A plain product would vary only the last characters before hitting the limit on a long name; this
    order gives every character's other readings a turn first (单县农机: danxian…, chanxian…, shanxian…,
    …nongwei, then pairs). Lazy, so 30 heteronyms cost no more than ``limit`` combinations.
    """
    defaults = [slot[0] for slot in slots]
    variable = [index for index, slot in enumerate(slots) if len(slot) > 1]
    departures = itertools.chain.from_iterable(
        itertools.combinations(variable, count) for count in range(len(variable) + 1)
    )

    def chosen() -> Iterator[tuple[tuple[str, str], ...]]:
        for positions in departures:
            for alternatives in itertools.product(*(slots[position][1:] for position in positions)):
                choice = list(defaults)
                for position, alternative in zip(positions, alternatives, strict=True):
                    choice[position] = alternative
                yield tuple(choice)

    return itertools.islice(chosen(), limit)


def _readings(folded: str, limit: int) -> list[str]:
    if not _HAN.search(folded):
        return []  # no Chinese: the text itself is its only reading
    slots = _slots(folded)
    readings: dict[str, None] = {}
    for choice in _combinations(slots, limit):
        readings["".join(full for full, _ in choice)] = None
        readings["".join(initial for _, initial in choice)] = None
    return list(readings)


def pinyin_readings(text: str, limit: int = 16) -> list[str]:
    """Full pinyin and initials, without spaces, for up to ``limit`` combinations of readings.

    华为技术 → ``["huaweijishu", "hwjs"]``; 单县 → ``["danxian", "dx", "chanxian", "cx", "shanxian", "sx"]``.
    Non-Chinese characters pass through lower-cased, punctuation is dropped; text without Chinese
    characters has no readings. The limit keeps a long name full of heteronyms from producing thousands
    of combinations (each character has up to 4 readings); initials are the first letters of the same
    combinations rather than a separate FIRST_LETTER pass, so the two always correspond.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return _readings(fold(text or ""), limit)


def search_text(*parts: str, limit: int = 16) -> str:
    """The text one search box matches (``search_text__contains`` with a normalised query).

    For each non-empty part: its :func:`~.folding.fold` (canonical text: NFKC, no invisible characters,
    simplified characters, whitespace collapsed; lower case), then the :func:`pinyin_readings` of the part as
    typed (traditional characters kept: 乾 reads qian, its simplified 干 gan). One space-separated string,
    duplicates removed, in that order:
    ``search_text("华为技术")`` is ``"华为技术 huaweijishu hwjs"``.
    """
    items: dict[str, None] = {}
    for part in parts:
        folded = fold(part or "")
        if not folded:
            continue
        items[folded] = None
        # The readings of what was typed: simplifying can change one (乾 qian → 干 gan), and a name is read as typed.
        items.update(dict.fromkeys(_readings(fold(part, simplify=False), limit)))
    return " ".join(items)
