from django import forms

from keshang.core import services
from keshang.core.forms import ScopedFormMixin
from keshang.core.tables import Column, Table
from keshang.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView

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
