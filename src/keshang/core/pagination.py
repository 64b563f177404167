"""API pagination and the filter backend, in their own module: DRF imports them (its default classes)
while ``core.api`` is still loading."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django_filters import BooleanFilter, NumberFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination

__all__ = ["StandardPagination", "StrictFilterBackend", "MaskedOrderingFilter"]

# SQLite's integers are signed 64-bit; Python raises OverflowError on a larger one, after the query is built.
DATABASE_INTEGER_LIMIT = 2**63 - 1


def _within_database_integers(raw: str) -> bool:
    """Whether a number filter's value fits the database (an unparseable one the filter form refuses)."""
    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError):
        return True
    return value.is_finite() and abs(value) <= DATABASE_INTEGER_LIMIT


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        """A ``page_size`` that is not a positive whole number is refused (DRF would quietly fall back to
        the default, and the client would page through a list it did not ask for); above the maximum it
        is capped, as documented."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise ValidationError({self.page_size_query_param: [_("每页条数应为正整数。")]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"]["minimum"] = 1
        return parameters


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter reads a yes/no value it does not know ("39", "yes") as "no filter" and lists every
    row; the API refuses it, so a typo is not mistaken for an answer (the schema documents these
    parameters as booleans, sent as ``true`` or ``false``). A number too large for the database
    (``?parent_id=1e308``) is refused too: compared with an id column it overflowed into a 500."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {}
            for name, field in filterset.filters.items():
                raw = request.query_params.get(name)
                if raw in (None, ""):
                    continue
                if isinstance(field, BooleanFilter) and raw not in ("true", "false"):
                    errors[name] = [_("应为 true 或 false。")]
                elif isinstance(field, NumberFilter) and not _within_database_integers(raw):
                    errors[name] = [_("数值超出范围。")]
            if errors:
                raise ValidationError(errors)
        return filterset


class MaskedOrderingFilter(OrderingFilter):
    """``?ordering=`` as DRF's, without the sensitive fields of rows the reader sees masked: their order would
    rank the hidden values (issue 12, finding 3)."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        from .masking import may_sort_by  # here: DRF imports this module while settings load

        valid = super().remove_invalid_fields(queryset, fields, view, request)
        return [field for field in valid if may_sort_by(request.user, queryset, field)]
