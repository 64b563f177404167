"""Fast partner search at 100,000 partners on both databases.

One search box matches any part of a partner's search text (name, short name, every pinyin reading
and initials, credit code, phone digits; see ``text.search_text``):

* three characters or more: a trigram index — SQLite's FTS5 ``trigram`` tokenizer (an external-content
  table kept in step by triggers, created in migration 0003) or PostgreSQL's ``pg_trgm`` GIN index,
  which serves ``LIKE '%…%'``;
* exactly two characters (华为, 上海): trigram indexes cannot serve them, so ``PartnerSearchGram``
  keeps every two-character piece of the Chinese names and the pinyin initials, maintained by the
  service layer (:func:`index_partner_grams`);
* one character, or two digits: a plain scan (rare, and still bounded by the page size; two digits are in
  the phone numbers of nearly every partner, so bigrams of numbers would only grow the table).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import Partner, PartnerSearchGram

__all__ = ["partner_text_condition", "grams_of", "index_partner_grams", "reindex_partner_grams"]

CJK = re.compile(r"[\u3400-\u9fff]")
# Pinyin initials and short ASCII names get bigrams too; long full-pinyin strings do not (3+ letter
# queries reach them through the trigram index, and their bigrams would dominate the table).
SHORT_ASCII_TOKEN = 8


def grams_of(search_text: str) -> set[str]:
    """Every two-character piece of the Chinese words and of the ASCII words no longer than the longest
    Chinese word: a name's initials are as long as the name (诚宏嘉易电子有限公司 → chjydzyxgs, 10 letters),
    its full pinyin always longer, so the initials of a long name are covered and full pinyin is not."""
    tokens = search_text.split()
    longest_chinese = max((len(token) for token in tokens if CJK.search(token)), default=0)
    short = max(SHORT_ASCII_TOKEN, longest_chinese)
    grams = set()
    for token in tokens:
        if token.isdigit():
            continue  # phone digits and numbers: a two-digit query matches nearly everyone, so it scans instead
        if CJK.search(token) or len(token) <= short:
            grams.update(token[index : index + 2] for index in range(len(token) - 1))
    return grams


def index_partner_grams(partner: Partner) -> None:
    """Replace one partner's bigrams; call after the partner's search text changed."""
    PartnerSearchGram.objects.filter(partner=partner).delete()
    PartnerSearchGram.objects.bulk_create(
        PartnerSearchGram(partner=partner, gram=gram) for gram in sorted(grams_of(partner.search_text))
    )


def reindex_partner_grams(partners: Iterable[Partner]) -> int:
    """Bigrams for many partners at once (imports, repairs): delete, then one ``executemany`` insert.

    An import of 100,000 partners writes about 1.5 million bigrams; as model instances through
    ``bulk_create`` they cost ~300 µs a partner, as plain parameter tuples a tenth of that.
    """
    partners = list(partners)
    PartnerSearchGram.objects.filter(partner__in=[partner.pk for partner in partners]).delete()
    rows = [(partner.pk, gram) for partner in partners for gram in sorted(grams_of(partner.search_text))]
    table = connection.ops.quote_name(PartnerSearchGram._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} (partner_id, gram) VALUES (%s, %s)", rows)
    return len(rows)


def _fts_phrase(query: str) -> str:
    """An FTS5 phrase: the query in double quotes, inner quotes doubled, so nothing is FTS syntax."""
    return '"' + query.replace('"', '""') + '"'


_FTS = "SELECT rowid FROM partners_partner_fts WHERE partners_partner_fts MATCH %s"


def _word_condition(word: str) -> Q:
    if len(word) >= 3:
        if connection.vendor == "sqlite":
            return Q(pk__in=RawSQL(_FTS, [_fts_phrase(word)]))
        return Q(search_text__contains=word)  # served by the pg_trgm GIN index
    if len(word) == 2 and not word.isdigit():
        return Q(pk__in=PartnerSearchGram.objects.filter(gram=word).values("partner_id"))
    return Q(search_text__contains=word)


def _ids_with(word: str, also: QuerySet):
    """The ids from ``word``'s index and ``also`` as one subquery, or None where the word has no index (one
    character, two digits: the partners are scanned newest first, which stops at a page)."""
    if len(word) == 2 and not word.isdigit():
        return PartnerSearchGram.objects.filter(gram=word).order_by().values("partner_id").union(also)
    if len(word) >= 3 and connection.vendor == "sqlite":
        sql, params = also.query.sql_with_params()
        return RawSQL(f"{_FTS} UNION {sql}", [_fts_phrase(word), *params])
    if len(word) >= 3:
        # Ids only, read within the caller's scoped queryset. Alone, the condition is served by the pg_trgm
        # index; OR-ed with the contacts' ids it made PostgreSQL read every partner.
        matching = Partner.objects.unscoped().filter(search_text__contains=word).order_by().values("pk")
        return matching.union(also)
    return None


def partner_text_condition(query: str, *, also: QuerySet | None = None) -> Q:
    """Partners whose search text contains every word of ``query`` (already normalised), each word
    through the best index for its length, or whose id is in ``also`` (a subquery of partner ids: those of
    the matching contacts).

    A one-word query becomes one set of ids: the database then reads the partners in id order, newest first,
    and stops at a page. As "index OR contacts" SQLite collected every partner that matched either and
    sorted them all: up to half a second for a two-letter query shared by thousands of 100,000 partners."""
    words = query.split()
    if also is not None and len(words) == 1 and (ids := _ids_with(words[0], also)) is not None:
        return Q(pk__in=ids)
    condition = Q()
    for word in words:
        condition &= _word_condition(word)
    return condition | Q(pk__in=also) if also is not None else condition
