"""Money and tax (DESIGN.md rule 1, STYLE.md §5): the only module that rounds.

Amounts have 2 places, unit prices and rates 6, always ROUND_HALF_UP (never the default context's
banker's rounding). Lines are rounded one by one and a total is the sum of its rounded lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

import cn2an

__all__ = [
    "AMOUNT_PLACES",
    "PRICE_PLACES",
    "VAT_RATES",
    "to_decimal",
    "quantize_amount",
    "quantize_price",
    "net_from_gross",
    "gross_from_net",
    "net_of_gross",
    "tax_of_gross",
    "line_amount",
    "sum_amounts",
    "LineAmounts",
    "price_line",
    "DocumentTotals",
    "document_totals",
    "amount_in_words",
    "amount_in_english_words",
    "amount_in_words_for",
    "format_amount",
    "format_price",
    "convert_to_cny",
]

AMOUNT_PLACES = Decimal("0.01")
PRICE_PLACES = Decimal("0.000001")
# The VAT rates in force in China: 13 % goods, 9 % transport/agri, 6 % services, 3 %/1 % small-scale, 0 % exempt.
VAT_RATES = tuple(Decimal(rate) for rate in ("0.13", "0.09", "0.06", "0.03", "0.01", "0"))
# All arithmetic runs in this context, never the thread's current one: that one is mutable by any code
# (a lower ``prec`` makes quantize() fail or products round early) and rounds half-even. 60 digits hold the
# product of an 18-digit quantity, an 18-digit price and a discount factor exactly, and leave a quotient far
# more digits than the one rounding to cents or to 6 places that follows it.
_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])


def to_decimal(value) -> Decimal:
    """A finite Decimal from a Decimal, int or string; floats are refused because they are already inexact."""
    if isinstance(value, bool | float):
        raise TypeError("Money must not be a float; pass a Decimal or a string.")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(value)
        except (InvalidOperation, TypeError) as exc:
            raise ValueError(f"Not a number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"Not a finite number: {value!r}")
    return result


def quantize_amount(value) -> Decimal:
    return to_decimal(value).quantize(AMOUNT_PLACES, rounding=ROUND_HALF_UP, context=_CONTEXT)


def quantize_price(value) -> Decimal:
    return to_decimal(value).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP, context=_CONTEXT)


def _check_rate(rate) -> Decimal:
    rate = to_decimal(rate)
    if rate < 0 or rate >= 1:
        raise ValueError(f"A VAT rate is a fraction in [0, 1): {rate}")
    return rate


def net_from_gross(gross_price, rate) -> Decimal:
    """不含税单价 from 含税单价, to 6 places."""
    with localcontext(_CONTEXT):
        return quantize_price(to_decimal(gross_price) / (1 + _check_rate(rate)))


def gross_from_net(net_price, rate) -> Decimal:
    """含税单价 from 不含税单价, to 6 places."""
    with localcontext(_CONTEXT):
        return quantize_price(to_decimal(net_price) * (1 + _check_rate(rate)))


def net_of_gross(gross_amount, rate) -> Decimal:
    """The amount without tax (不含税金额) inside a tax-inclusive amount, to cents."""
    with localcontext(_CONTEXT):
        return quantize_amount(quantize_amount(gross_amount) / (1 + _check_rate(rate)))


def tax_of_gross(gross_amount, rate) -> Decimal:
    """The tax (税额) inside a tax-inclusive amount: gross − net_of_gross(gross), so net + tax == gross exactly."""
    with localcontext(_CONTEXT):
        return quantize_amount(gross_amount) - net_of_gross(gross_amount, rate)


def line_amount(quantity, unit_price, discount_percent=0) -> Decimal:
    """One line's amount, rounded once: quantity × price × (1 − discount %)."""
    with localcontext(_CONTEXT):
        factor = 1 - to_decimal(discount_percent) / 100
        return quantize_amount(to_decimal(quantity) * to_decimal(unit_price) * factor)


def sum_amounts(amounts: Iterable) -> Decimal:
    """A document total: the sum of already rounded line amounts (never re-rounded from unrounded parts)."""
    with localcontext(_CONTEXT):
        return sum((quantize_amount(amount) for amount in amounts), Decimal("0.00"))


@dataclass(frozen=True)
class LineAmounts:
    unit_price_net: Decimal
    unit_price_gross: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal
    discount_amount: Decimal  # tax-inclusive: what the discount takes off the line's 价税合计


def price_line(*, quantity, unit_price, entry: str, vat_rate, discount_percent=0) -> LineAmounts:
    """Everything about one line, derived once from the one price the user typed.

    ``entry`` is "gross" when ``unit_price`` is 含税单价 and "net" when it is 不含税单价. The typed price
    stays exact; the other price is derived from it (6 places) for display only. The amounts come from the
    typed price, never from the derived one, so nothing is rounded twice: a gross entry gives
    价税合计 = quantity × gross price × (1 − discount), rounded once, and splits it into net + tax; a net
    entry gives 不含税金额 the same way and adds the tax on it.
    """
    if entry not in ("gross", "net"):
        raise ValueError(f"entry must be 'gross' or 'net': {entry!r}")
    rate = _check_rate(vat_rate)
    price = quantize_price(unit_price)
    discount = to_decimal(discount_percent)
    if not 0 <= discount <= 100:
        raise ValueError(f"A discount is a percentage in [0, 100]: {discount}")
    with localcontext(_CONTEXT):
        if entry == "gross":
            price_gross, price_net = price, net_from_gross(price, rate)
            gross = line_amount(quantity, price, discount)
            net = net_of_gross(gross, rate)
            tax = gross - net
            undiscounted_gross = line_amount(quantity, price)
        else:
            price_net, price_gross = price, gross_from_net(price, rate)
            net = line_amount(quantity, price, discount)
            tax = quantize_amount(net * rate)
            gross = net + tax
            undiscounted_net = line_amount(quantity, price)
            undiscounted_gross = undiscounted_net + quantize_amount(undiscounted_net * rate)
        return LineAmounts(
            unit_price_net=price_net,
            unit_price_gross=price_gross,
            net_amount=net,
            tax_amount=tax,
            gross_amount=gross,
            discount_amount=undiscounted_gross - gross,
        )


@dataclass(frozen=True)
class DocumentTotals:
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal
    discount_amount: Decimal


def document_totals(lines: Iterable) -> DocumentTotals:
    """A document's totals: each the sum of its lines' rounded amounts (objects with the LineAmounts fields)."""
    lines = list(lines)
    return DocumentTotals(
        net_amount=sum_amounts(line.net_amount for line in lines),
        tax_amount=sum_amounts(line.tax_amount for line in lines),
        gross_amount=sum_amounts(line.gross_amount for line in lines),
        discount_amount=sum_amounts(line.discount_amount for line in lines),
    )


def amount_in_words(amount) -> str:
    """金额大写, e.g. 人民币壹仟贰佰叁拾肆元伍角整.

    cn2an truncates extra places and misreads floats, so the amount is rounded half-up to cents and
    handed over as a string.
    """
    amount = quantize_amount(amount)
    sign = "负" if amount < 0 else ""
    words = cn2an.an2cn(format(amount.copy_abs(), "f"), "rmb")
    if amount == 0:
        words = "零元"
    if words.endswith(("元", "角")):
        words += "整"
    return f"人民币{sign}{words}"


# How trade documents name a currency in the words line ("SAY US DOLLARS … ONLY"); others by their code.
CURRENCY_WORDS = {
    "USD": "US DOLLARS",
    "EUR": "EUROS",
    "GBP": "POUNDS STERLING",
    "HKD": "HONG KONG DOLLARS",
    "JPY": "JAPANESE YEN",
    "AUD": "AUSTRALIAN DOLLARS",
    "CAD": "CANADIAN DOLLARS",
    "SGD": "SINGAPORE DOLLARS",
}


def amount_in_english_words(amount, currency: str) -> str:
    """The amount line of a foreign-currency document: SAY US DOLLARS ONE THOUSAND TWO HUNDRED AND
    THIRTY-FOUR AND CENTS FIFTY-SIX ONLY (num2words spells the numbers)."""
    from num2words import num2words

    amount = quantize_amount(amount)
    whole, cents = divmod(int(amount.copy_abs() * 100), 100)
    words = num2words(whole, lang="en").replace(",", "").upper()
    text = f"SAY {CURRENCY_WORDS.get(currency, currency)} {'MINUS ' if amount < 0 else ''}{words}"
    if cents:
        text += f" AND CENTS {num2words(cents, lang='en').upper()}"
    return f"{text} ONLY"


def amount_in_words_for(amount, currency: str = "CNY") -> str:
    """金额大写 for CNY, the English words line for any other currency."""
    return amount_in_words(amount) if currency == "CNY" else amount_in_english_words(amount, currency)


def format_amount(amount) -> str:
    """An amount as printed on documents: rounded to cents, thousands separated (1,234.50)."""
    return f"{quantize_amount(amount):,}"


def format_price(price) -> str:
    """A unit price as people read it: rounded to 6 places, thousands separated, at least 2 decimals and no
    trailing zeros beyond them (2000.000000 → 2,000.00; 0.752212 stays)."""
    value = quantize_price(price).normalize(context=_CONTEXT)
    if value.as_tuple().exponent > -2:
        value = value.quantize(AMOUNT_PLACES, context=_CONTEXT)
    return f"{value:,}"


def convert_to_cny(amount, rate) -> Decimal:
    """A foreign amount in CNY at ``rate`` (CNY per unit), rounded to cents."""
    with localcontext(_CONTEXT):
        return quantize_amount(to_decimal(amount) * to_decimal(rate))
