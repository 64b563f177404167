"""Form plumbing shared by every app: choices narrowed to the user's data scope (STYLE.md §3)."""

from django import forms

from .models import Currency, ExchangeRate
from .permissions import Action
from .scope import ScopedQuerySet

__all__ = ["ScopedFormMixin", "restrict_choices", "CurrencyForm", "ExchangeRateForm"]


def restrict_choices(form: forms.BaseForm, user) -> None:
    """Narrow every model choice field over a scoped model to what ``user`` may view."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if isinstance(queryset, ScopedQuerySet):
            field.queryset = queryset.visible_to(user, Action.VIEW)


class ScopedFormMixin:
    """Takes ``user=`` and restricts choices; forms only validate, services write (STYLE.md §2)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        restrict_choices(self, user)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")


class CurrencyForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Currency
        fields = ["code", "name", "symbol", "is_active"]


class ExchangeRateForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "date", "rate"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
