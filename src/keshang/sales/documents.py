"""The document types of sales, declared once (``core.documents.types.DocumentType``): their pages
(``views``) and API (``api``) are generated from these declarations; their workflows are declared beside their
services (``services.quotations.QUOTATION_WORKFLOW``, ``services.orders.ORDER_WORKFLOW``)."""

from django.utils.translation import gettext_lazy as _

from keshang.catalog.lines.editor import ProductLineEditor
from keshang.core.documents.types import DocumentType
from keshang.core.tables import Column

from . import selectors, services
from .filters import QuotationFilterSet, SalesOrderFilterSet
from .forms import QuotationForm, SalesOrderForm
from .models import Quotation, QuotationStatus, SalesOrder
from .services.printing import order_layout, quotation_layout
from .tables import QuotationTable, SalesOrderTable

__all__ = ["QUOTATION", "SALES_ORDER", "LINE_EDITOR"]

LINE_EDITOR = ProductLineEditor(last_prices=selectors.last_prices)

QUOTATION = DocumentType(
    model=Quotation,
    workflow=services.QUOTATION_WORKFLOW,
    selector=selectors.list_quotations,
    table=QuotationTable,
    filterset=QuotationFilterSet,
    form_class=QuotationForm,
    line_editor=LINE_EDITOR,
    create=services.create_quotation,
    update=services.update_quotation,
    delete=services.delete_quotation,
    url_prefix="quotations",
    editable_states=services.quotations.EDITABLE_STATES,
    print_layout=quotation_layout,
    export_basename="quotations",
    edit_notices=((QuotationStatus.APPROVED, _("该报价单已批准；保存修改后将重新提交审批。")),),
    detail_fields=(
        "status",
        "seller",
        "partner",
        "contact",
        "opportunity",
        "currency",
        "quote_date",
        "valid_until",
        "payment_terms",
        "delivery_terms",
        "notes",
        "owner",
        "department",
        "revised_from",
        "submitted_at",
        "approved_at",
        "sent_at",
        # The one order an accepted quotation became (another only after that one is cancelled).
        Column("live_order", _("销售订单")),
    ),
)

SALES_ORDER = DocumentType(
    model=SalesOrder,
    workflow=services.ORDER_WORKFLOW,
    selector=selectors.list_sales_orders,
    table=SalesOrderTable,
    filterset=SalesOrderFilterSet,
    form_class=SalesOrderForm,
    line_editor=LINE_EDITOR,
    create=services.create_sales_order,
    update=services.update_sales_order,
    delete=services.delete_sales_order,
    url_prefix="orders",
    print_layout=order_layout,
    export_basename="sales-orders",
    detail_fields=(
        "status",
        "seller",
        "partner",
        "contact",
        "quotation",
        "currency",
        "order_date",
        "delivery_date",
        "delivery_address",
        "payment_terms",
        "delivery_terms",
        "delivery_status",
        "payment_status",
        "paid_amount",
        "notes",
        "owner",
        "department",
        "confirmed_at",
        "confirmed_by",
        "cancel_reason",
    ),
)
