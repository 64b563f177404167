from django.urls import path

from . import access_requests_views, importing_views, merging_views, ownership_views, suppliers_views, views

app_name = "partners"

urlpatterns = [
    path("", views.PartnerListView.as_view(), name="partner_list"),
    path("add/", views.PartnerEditView.as_view(), name="partner_add"),
    path("<int:pk>/", views.PartnerDetailView.as_view(), name="partner_detail"),
    path("<int:pk>/edit/", views.PartnerEditView.as_view(), name="partner_edit"),
    path("<int:pk>/delete/", views.PartnerDeleteView.as_view(), name="partner_delete"),
    path("<int:pk>/history/", views.PartnerHistoryView.as_view(), name="partner_history"),
    path("<int:pk>/contacts/", views.PartnerContactsView.as_view(), name="partner_contacts"),
    path("<int:pk>/addresses/", views.PartnerAddressesView.as_view(), name="partner_addresses"),
    path("<int:pk>/bank-accounts/", views.PartnerBankAccountsView.as_view(), name="partner_bank_accounts"),
    path("contacts/", views.ContactListView.as_view(), name="contact_list"),
    path("<int:partner_pk>/contacts/add/", views.ContactEditView.as_view(), name="contact_add"),
    path("contacts/<int:pk>/edit/", views.ContactEditView.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="contact_delete"),
    path("<int:partner_pk>/addresses/add/", views.AddressEditView.as_view(), name="address_add"),
    path("addresses/<int:pk>/edit/", views.AddressEditView.as_view(), name="address_edit"),
    path("addresses/<int:pk>/delete/", views.AddressDeleteView.as_view(), name="address_delete"),
    path("<int:partner_pk>/bank-accounts/add/", views.BankAccountEditView.as_view(), name="bankaccount_add"),
    path("bank-accounts/<int:pk>/edit/", views.BankAccountEditView.as_view(), name="bankaccount_edit"),
    path("bank-accounts/<int:pk>/delete/", views.BankAccountDeleteView.as_view(), name="bankaccount_delete"),
]
urlpatterns += [
    *ownership_views.urlpatterns,
    *importing_views.urlpatterns,
    *merging_views.urlpatterns,
    *suppliers_views.urlpatterns,
    *access_requests_views.urlpatterns,
]
