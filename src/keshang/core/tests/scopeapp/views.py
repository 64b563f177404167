from django import forms

from keshang.core import services
from keshang.core.forms import ScopedFormMixin
from keshang.core.importing.views import ImportUploadView
from keshang.core.permissions import Action
from keshang.core.registry import BulkAction, ListAction
from keshang.core.tables import Column, Table
from keshang.core.views import (
    ObjectBulkView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
)

from .models import Memo


class MemoTable(Table):
    columns = (Column("title", "标题", order_by="title", link=True), Column("phone", "电话"), Column("owner", "负责人"))
    default_order = "title"


class MemoForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Memo
        fields = ["title", "phone", "owner", "department"]


class MemoListView(ObjectListView):
    model = Memo
    table = MemoTable


class MemoDetailView(ObjectDetailView):
    model = Memo
    detail_fields = ("title", "phone", "owner", "department")


class MemoEditView(ObjectEditView):
    model = Memo
    form_class = MemoForm

    def save_form(self, form):
        return services.save_instance(actor=self.request.user, instance=form.instance, data=form.cleaned_data)


class MemoDeleteView(ObjectDeleteView):
    model = Memo

    def delete_object(self, obj):
        services.delete_instance(actor=self.request.user, instance=obj)


class MemoHistoryView(ObjectHistoryView):
    model = Memo


#
# What the page registries' tests register on the memo list (core/tests/test_page_registries.py)
#

MEMO_IMPORT = ListAction("import", "导入", "scopeapp:memo_import", action=Action.ADD)
MEMO_BULK_DELETE = BulkAction("delete", "批量删除", "scopeapp:memo_bulk_delete", Action.DELETE)


class MemoImportView(ImportUploadView):
    """The upload page of the test-only memo importer (``core/tests/memo_imports.py``)."""

    kind = "memos"


class MemoBulkDeleteView(ObjectBulkView):
    model = Memo
    bulk_action = MEMO_BULK_DELETE
    danger = True

    def perform(self, objects):
        for memo in objects:
            services.delete_instance(actor=self.request.user, instance=memo)
