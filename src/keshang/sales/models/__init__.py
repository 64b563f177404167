"""Sales owns the road from first contact to a confirmed order: opportunities (商机) moving through
configurable stages, quotations (报价) with revisions, and sales orders (销售订单). Quotations and orders are
owned priced documents (``core.documents``) with product lines (``catalog.lines``)."""

from keshang.core.documents.models import PriceEntry, PriceOrigin

from .documents import SalesDocument
from .opportunities import Competitor, Opportunity, OpportunityStage, OpportunityStageChange, OpportunityStatus
from .orders import DeliveryStatus, PaymentStatus, SalesOrder, SalesOrderLine, SalesOrderStatus
from .quotations import Quotation, QuotationLine, QuotationStatus

__all__ = [
    "OpportunityStage",
    "OpportunityStatus",
    "Opportunity",
    "Competitor",
    "OpportunityStageChange",
    "PriceEntry",
    "PriceOrigin",
    "SalesDocument",
    "QuotationStatus",
    "Quotation",
    "QuotationLine",
    "SalesOrderStatus",
    "DeliveryStatus",
    "PaymentStatus",
    "SalesOrder",
    "SalesOrderLine",
]
