"""Text rules of the partner master: validation, duplicate keys and search text (pure functions).

The same customer is typed many ways: 深圳市华为技术有限公司, 华为技术有限公司（深圳）, ＨＵＡＷＥＩ Co., Ltd.,
a credit code with spaces, a phone number with or without +86 or an area code. Duplicate control
and search only work if every spelling is reduced to one key first, so the services, forms, API and
the importer all derive their keys here. 100,000 partners can be imported through these functions:
the region lists are read once and cached, the regular expressions are compiled once, and nothing
touches the database.

- :func:`normalize_credit_code` checks a 统一社会信用代码 (GB 32100-2015) with python-stdnum, and also
  accepts the letter authority codes (N 农业, Y 其他, …) that stdnum refuses.
- :func:`canonical_text` is where every key and search text starts: NFKC, invisible characters deleted,
  traditional characters simplified (issue 12, finding 11); :func:`strip_invisible` cleans a stored name.
- :func:`name_key` is the duplicate key of a company name; :func:`similarity` compares two keys.
- :func:`normalize_phone` gives an E.164 key; :func:`phone_digits` gives digits for substring search.
- :func:`search_text` is the text one search box matches: the name, its full pinyin and its initials.

A package of pure functions (no database, no actor), not a layer: the services, forms, API, importer and
catalog all derive their keys here. ``places`` and ``names`` make the name key, ``numbers`` phones and bank
accounts, ``pinyin`` the search text.
"""

from keshang.core.identifiers import normalize_credit_code

from .folding import canonical_text, strip_invisible
from .names import NAME_KEY_LENGTH, name_key, similarity
from .numbers import normalize_bank_account, normalize_phone, phone_digits
from .pinyin import pinyin_readings, search_text
from .places import short_place_name

__all__ = [
    "normalize_credit_code",
    "canonical_text",
    "strip_invisible",
    "NAME_KEY_LENGTH",
    "name_key",
    "short_place_name",
    "similarity",
    "normalize_phone",
    "phone_digits",
    "normalize_bank_account",
    "pinyin_readings",
    "search_text",
]
