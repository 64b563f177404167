"""The contract document type, declared once (``core.documents.types.DocumentType``): its pages and API are
generated from it; its workflow is declared beside its services (``services.contracts.CONTRACT_WORKFLOW``)."""

from keshang.core.documents.types import DocumentType
from keshang.sales.documents import LINE_EDITOR

from . import selectors, services
from .filters import ContractFilterSet
from .forms import ContractForm
from .models import Contract
from .printing import contract_layout, contract_pdf_file
from .tables import ContractTable

__all__ = ["CONTRACT"]

CONTRACT = DocumentType(
    model=Contract,
    workflow=services.CONTRACT_WORKFLOW,
    selector=selectors.list_contracts,
    table=ContractTable,
    filterset=ContractFilterSet,
    form_class=ContractForm,
    line_editor=LINE_EDITOR,
    create=services.create_contract,
    update=services.update_contract,
    delete=services.delete_contract,
    url_prefix="contracts",
    editable_states=services.contracts.EDITABLE_STATES,
    print_layout=contract_layout,
    # Printed from its template, with the parties' signing areas (printing.contract_pdf).
    pdf=contract_pdf_file,
    export_basename="contracts",
    detail_fields=(
        "number",
        "revision",
        "revised_from",
        "kind",
        "category",
        "template",
        "title",
        "status",
        "seller",
        "partner",
        "contact",
        "partner_signer",
        "our_signer",
        "currency",
        "sign_date",
        "effective_date",
        "end_date",
        "sign_place",
        "capped",
        "quotation",
        "payment_terms",
        "delivery_terms",
        "expected_margin",
        "notes",
        "owner",
        "department",
        "submitted_at",
        "approved_at",
        "effective_at",
        "termination_reason",
    ),
)
