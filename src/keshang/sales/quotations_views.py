from django.urls import path

from keshang.core.tables import Table
from keshang.core.views import ObjectListView

from .models import Quotation, SalesOrder


class QuotationListView(ObjectListView):
    model = Quotation
    table = Table


class SalesOrderListView(ObjectListView):
    model = SalesOrder
    table = Table


urlpatterns = [
    path("quotations/", QuotationListView.as_view(), name="quotation_list"),
    path("orders/", SalesOrderListView.as_view(), name="salesorder_list"),
]
