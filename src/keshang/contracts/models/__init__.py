"""Contracts (合同): the contract with its lines and payment stages, categories, and the orders made under it."""

from .contracts import (
    SALES_KINDS,
    Contract,
    ContractCategory,
    ContractKind,
    ContractLine,
    ContractOrder,
    ContractStatus,
)
from .signing import (
    CompanyCertificate,
    ContractArchive,
    ContractDocument,
    ContractLoan,
    DocumentKind,
    SigningLink,
)
from .stages import PaymentStage, StageTrigger
from .templates import ContractTemplate, ContractTemplateVersion

__all__ = [
    "SALES_KINDS",
    "ContractKind",
    "ContractStatus",
    "ContractCategory",
    "Contract",
    "ContractLine",
    "ContractOrder",
    "StageTrigger",
    "PaymentStage",
    "CompanyCertificate",
    "DocumentKind",
    "ContractDocument",
    "SigningLink",
    "ContractArchive",
    "ContractLoan",
    "ContractTemplate",
    "ContractTemplateVersion",
]
