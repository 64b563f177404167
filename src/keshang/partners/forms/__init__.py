"""Forms validate input only; the views hand ``cleaned_data`` to the services. One module per subject; callers
import this package."""

from .classifications import IndustryForm, PartnerLevelForm, TagForm
from .merging import DuplicateFilterForm, PartnerMergeForm
from .ownership import BatchHandoverForm, HandoverForm, PoolRulesForm, ReleaseForm, ShareForm, UserChoiceField
from .partners import (
    CREDIT_CODE_INPUT_LENGTH,
    AccessRequestForm,
    AddressForm,
    BankAccountForm,
    ContactForm,
    PartnerForm,
)
from .suppliers import QualificationForm, SupplierProfileForm

__all__ = [
    "CREDIT_CODE_INPUT_LENGTH",
    "PartnerForm",
    "AccessRequestForm",
    "ContactForm",
    "AddressForm",
    "BankAccountForm",
    "UserChoiceField",
    "HandoverForm",
    "BatchHandoverForm",
    "ReleaseForm",
    "ShareForm",
    "PoolRulesForm",
    "DuplicateFilterForm",
    "PartnerMergeForm",
    "SupplierProfileForm",
    "QualificationForm",
    "PartnerLevelForm",
    "IndustryForm",
    "TagForm",
]
