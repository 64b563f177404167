"""Forms of the classification lists (客户级别, 行业, 标签)."""

from __future__ import annotations

from django import forms

from keshang.core.forms import ScopedFormMixin

from ..models import Industry, PartnerLevel, Tag

__all__ = ["PartnerLevelForm", "IndustryForm", "TagForm"]


class PartnerLevelForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = PartnerLevel
        fields = ["code", "name", "order"]


class IndustryForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Industry
        fields = ["name", "order"]


class TagForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name"]
