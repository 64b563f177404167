"""Forms of the 供应商档案 tab: the profile with its ratings, and qualifications with their certificate files."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keshang.core.forms import ScopedFormMixin

from ..models import Qualification, SupplierProfile
from ..services import RATING_FIELDS

__all__ = ["SupplierProfileForm", "QualificationForm"]

RATING_OPTIONS = [("", _("未评分"))] + [(score, "★" * score) for score in range(1, 6)]


class SupplierProfileForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = SupplierProfile
        fields = ["main_products", *RATING_FIELDS]
        widgets = {"main_products": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RATING_FIELDS:
            label = SupplierProfile._meta.get_field(name).verbose_name
            message = _("%(field)s须在 1 到 5 之间。") % {"field": label}
            self.fields[name] = forms.IntegerField(
                label=label,
                required=False,
                min_value=1,
                max_value=5,
                widget=forms.Select(choices=RATING_OPTIONS, attrs={"class": "form-select"}),
                error_messages={"min_value": message, "max_value": message, "invalid": message},
            )


class QualificationForm(ScopedFormMixin, forms.ModelForm):
    file = forms.FileField(
        label=_("证书文件"), required=False, help_text=_("PDF、图片或 Office 文件；保存后替换原文件。")
    )
    remove_file = forms.BooleanField(label=_("删除现有证书文件"), required=False)

    class Meta:
        model = Qualification
        fields = ["name", "number", "issued_on", "expires_on"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.file:
            del self.fields["remove_file"]

    def clean(self):
        cleaned = super().clean()
        issued_on, expires_on = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued_on and expires_on and expires_on < issued_on:
            self.add_error("expires_on", _("到期日期不能早于发证日期。"))
        return cleaned

    def qualification_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self._meta.fields}
