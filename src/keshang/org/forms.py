"""Forms validate input only; views hand ``cleaned_data`` to the services."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from keshang.core.forms import ScopedFormMixin
from keshang.core.identifiers import normalize_credit_code
from keshang.core.models import Attachment, Currency
from keshang.core.permissions import Scope, resources

from .models import Company, CompanyBankAccount, Department, Role, User
from .services import COMPANY_FIELDS

__all__ = ["DepartmentForm", "UserForm", "UserPasswordForm", "RoleForm", "CompanyForm", "CompanyBankAccountForm"]


class DepartmentForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "parent", "head", "is_active"]


class UserForm(ScopedFormMixin, forms.ModelForm):
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput, required=False, strip=False)
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, required=False, strip=False)

    class Meta:
        model = User
        fields = ["username", "name", "email", "phone", "department", "manager", "position", "roles", "is_active"]
        widgets = {"roles": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["roles"].queryset = Role.objects.filter(is_active=True)
        if self.instance.pk:
            del self.fields["password1"]
            del self.fields["password2"]
            self.fields["manager"].queryset = self.fields["manager"].queryset.exclude(pk=self.instance.pk)
        else:
            self.fields["password1"].required = True
            self.fields["password2"].required = True

    def clean(self):
        cleaned = super().clean()
        if "password1" in self.fields:
            password1, password2 = cleaned.get("password1"), cleaned.get("password2")
            if password1 and password2 and password1 != password2:
                self.add_error("password2", _("两次输入的密码不一致。"))
            elif password1:
                try:
                    validate_password(
                        password1, User(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
                    )
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned


class UserPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("确认新密码"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif cleaned.get("password1"):
            try:
                validate_password(cleaned["password1"], self.target)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class RoleForm(ScopedFormMixin, forms.ModelForm):
    """The role's name plus a grant matrix: per resource, the actions and the data scope."""

    class Meta:
        model = Role
        fields = ["name", "description", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = {grant.resource: grant for grant in self.instance.grants.all()} if self.instance.pk else {}
        self.grant_rows = []
        for resource in sorted(resources(), key=lambda item: item.label):
            grant = current.get(resource.label)
            actions_name, scope_name = f"grant__{resource.label}__actions", f"grant__{resource.label}__scope"
            self.fields[actions_name] = forms.MultipleChoiceField(
                label=resource.verbose_name,
                choices=resource.action_choices(),
                required=False,
                initial=grant.actions if grant else [],
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[scope_name] = forms.ChoiceField(
                label=_("数据范围"),
                choices=Scope.choices,
                required=False,
                initial=grant.scope if grant else Scope.OWN,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.grant_rows.append((resource, actions_name, scope_name))

    def grant_fields(self):
        """(resource, actions bound field, scope bound field) per row, for the template's matrix."""
        return [(resource, self[actions], self[scope]) for resource, actions, scope in self.grant_rows]

    def cleaned_grants(self) -> dict[str, tuple[list[str], str]]:
        return {
            resource.label: (self.cleaned_data[actions], self.cleaned_data[scope] or Scope.OWN)
            for resource, actions, scope in self.grant_rows
            if self.cleaned_data.get(actions)
        }

    def model_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self._meta.fields}


class CompanyForm(ScopedFormMixin, forms.ModelForm):
    """The seal is chosen among the company's own image attachments (uploaded on its 附件 tab)."""

    class Meta:
        model = Company
        fields = list(COMPANY_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A pasted code may hold spaces or hyphens: the field takes it, clean_credit_code keeps its 18 characters.
        self.fields["credit_code"] = forms.CharField(
            label=Company._meta.get_field("credit_code").verbose_name, max_length=40, required=False
        )
        images = Attachment.objects.for_object(self.instance).filter(mime_type__startswith="image/")
        self.fields["seal"].queryset = images if self.instance.pk else Attachment.objects.none()
        # Named after the tab it is uploaded on (registered in apps.py), which a new company does not have yet.
        self.fields["seal"].help_text = (
            _("先在“公章与附件”中上传公章图片（PNG/JPEG），再在此选择。只印在已生效的单据上。")
            if self.instance.pk
            else _("保存后在“公章与附件”中上传公章图片（PNG/JPEG），再在此选择。只印在已生效的单据上。")
        )

    def clean_credit_code(self):
        try:
            return normalize_credit_code(self.cleaned_data["credit_code"]) or None
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code=error.code) from error


def currency_choices() -> list[tuple[str, str]]:
    """The currencies documents are written in (CNY first): an account holds one of them."""
    codes = Currency.objects.filter(is_active=True).exclude(code="CNY").order_by("code").values_list("code", "name")
    return [("CNY", _("CNY 人民币")), *((code, f"{code} {name}") for code, name in codes)]


class CompanyBankAccountForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = CompanyBankAccount
        fields = ["bank_name", "account_name", "account_number", "currency", "is_default"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["currency"]
        self.fields["currency"] = forms.ChoiceField(
            label=field.label,
            choices=currency_choices,
            initial="CNY",
            widget=forms.Select(attrs={"class": "form-select"}),
        )
