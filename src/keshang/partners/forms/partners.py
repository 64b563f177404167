"""Forms of a partner and its parts (contacts, addresses, bank accounts)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from keshang.core.forms import RegionField, ScopedFormMixin
from keshang.core.versioning import VersionedFormMixin

from .. import text
from ..countries import country_choices
from ..models import PARTNER_EDITABLE_FIELDS, Address, BankAccount, Contact, Partner
from ..selectors import CREDIT_FIELDS, can_change_credit
from ..services import AccessKind

__all__ = [
    "CREDIT_CODE_INPUT_LENGTH",
    "PartnerForm",
    "AccessRequestForm",
    "ContactForm",
    "AddressForm",
    "BankAccountForm",
]

# What a credit code may be typed or pasted as: its 18 characters with the spaces or dashes people group them
# by ("91 110000 600037341L"). The column holds the 18 the normalised code has; the length is checked after.
CREDIT_CODE_INPUT_LENGTH = 40


def _clean_phone(value: str, *, kept: str | None = None, region: str = "CN") -> str:
    """A valid number for ``region``, or exactly ``kept``: the unverified number an import stored as typed,
    which an edit that leaves it alone must not refuse."""
    if value and value != kept:
        text.normalize_phone(value, region)  # raises a ValidationError with a Chinese message
    return value


class PartnerForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    credit_code = forms.CharField(label=_("统一社会信用代码"), required=False, max_length=CREDIT_CODE_INPUT_LENGTH)
    website = forms.URLField(label=_("网址"), required=False, assume_scheme="https")
    confirm_duplicate = forms.BooleanField(
        label=_("仍然保存（我已确认不是重复客商）"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Partner
        fields = [*PARTNER_EDITABLE_FIELDS, "owner"]
        widgets = {"tags": forms.CheckboxSelectMultiple, "notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"region": RegionField}

    access_request_offered = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Ownership moves through assignment and transfer (with a handover record), not through editing.
            del self.fields["owner"]
        else:
            self.fields["owner"].required = True
            self.fields["owner"].initial = self.user.pk
            self.fields["owner"].queryset = self.fields["owner"].queryset.filter(is_active=True)
        if not can_change_credit(user=self.user):
            # Shown, not changed (issue 12, finding 7): a disabled field keeps the stored value (a new partner's
            # default) whatever is posted, and the service refuses a change that comes another way.
            for name in CREDIT_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("仅有“信用额度与等级”权限的角色可以修改。")
        if self.data.get("confirm_duplicate"):
            self.offer_confirmation()
        # Left out (a post from before the field existed, a script): the partner stays where it is.
        self.fields["country"].required = False

    def offer_confirmation(self) -> None:
        """Show the “save anyway” box after a duplicate warning."""
        self.fields["confirm_duplicate"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})

    def offer_access_request(self) -> None:
        """Show the 申请共享 / 申请转给我 buttons after a copy of someone else's partner was refused; no “save
        anyway” box, and no ticked one carried over to a later save."""
        self.access_request_offered = True
        self.data = self.data.copy()
        self.data.pop("confirm_duplicate", None)
        self.fields["confirm_duplicate"].widget = forms.HiddenInput()

    def clean_country(self):
        return self.cleaned_data.get("country") or self.instance.country or "CN"

    def clean_credit_code(self):
        return text.normalize_credit_code(self.cleaned_data.get("credit_code") or "") or None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_customer") and not cleaned.get("is_supplier"):
            raise ValidationError(_("客商至少应是客户或供应商之一。"))
        if cleaned.get("phone"):
            # Read in the partner's country: a foreign number may be typed as it is written there.
            kept = self.instance.phone if self.instance.phone_unverified else None
            try:
                _clean_phone(cleaned["phone"], kept=kept, region=cleaned.get("country") or "CN")
            except ValidationError as error:
                self.add_error("phone", error)
        return cleaned

    def partner_data(self) -> dict:
        return {
            field: self.cleaned_data[field]
            for field in self._meta.fields
            if field in self.cleaned_data and field != "tags"
        }


class AccessRequestForm(forms.Form):
    """What the refused partner form posted: the request, and the details that named the partner."""

    access = forms.ChoiceField(label=_("申请"), choices=AccessKind.choices)
    access_note = forms.CharField(label=_("申请说明"), required=False, max_length=500)
    name = forms.CharField(required=False, max_length=200)
    credit_code = forms.CharField(required=False, max_length=CREDIT_CODE_INPUT_LENGTH)
    phone = forms.CharField(required=False, max_length=30)
    country = forms.ChoiceField(required=False, choices=country_choices)


class ContactForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "title",
            "decision_role",
            "mobile",
            "phone",
            "email",
            "wechat",
            "birthday",
            "is_primary",
            "notes",
        ]
        widgets = {"birthday": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 2})}

    def clean_mobile(self):
        kept = self.instance.mobile if self.instance.mobile_unverified else None
        return _clean_phone(self.cleaned_data.get("mobile", ""), kept=kept, region=self._region())

    def clean_phone(self):
        return _clean_phone(self.cleaned_data.get("phone", ""), region=self._region())

    def _region(self) -> str:
        """Numbers are read in the partner's country (the edit view sets a new contact's partner)."""
        return self.instance.partner.country if self.instance.partner_id else "CN"


class AddressForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Address
        fields = ["kind", "region", "detail", "contact_name", "contact_phone", "is_default"]
        field_classes = {"region": RegionField}

    def clean_contact_phone(self):
        return _clean_phone(self.cleaned_data.get("contact_phone", ""))


class BankAccountForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = BankAccount
        fields = ["bank_name", "account_name", "account_number", "is_default"]
        widgets = {"account_number": forms.TextInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pending:
            self.initial["is_default"] = True  # asked to be the default, waiting for 确认 (issue 12, finding 10)

    def clean_account_number(self):
        return text.normalize_bank_account(self.cleaned_data.get("account_number", ""))
