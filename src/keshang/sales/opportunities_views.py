from django.urls import path

from keshang.core.tables import Table
from keshang.core.views import ObjectListView

from .models import Opportunity


class OpportunityListView(ObjectListView):
    model = Opportunity
    table = Table


urlpatterns = [
    path("opportunities/", OpportunityListView.as_view(), name="opportunity_list"),
    path("opportunities/board/", OpportunityListView.as_view(), name="opportunity_board"),
]
