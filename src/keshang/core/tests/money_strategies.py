"""Hypothesis strategies and settings shared by the money tests."""

from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st

from keshang.core.money import VAT_RATES

# No example database (failures are reproduced from the printed example); no deadline: a loaded CI box must
# not turn a slow example into a failure.
PROPERTY = settings(deadline=None, database=None)
ONE_MILLIONTH = Decimal("0.000001")


@st.composite
def decimals(draw, *, min_value=0, max_value=10**7, min_places=2, max_places=6):
    """A Decimal in [min_value, max_value] with between min_places and max_places decimal places."""
    places = draw(st.integers(min_places, max_places))
    units = draw(st.integers(min_value * 10**places, max_value * 10**places))
    return Decimal(units).scaleb(-places)


vat_rates = st.sampled_from(VAT_RATES)
amounts = decimals(max_places=2, min_places=2)
line_values = decimals(min_value=-(10**6), max_value=10**6, min_places=0, max_places=6)
