"""Approval pages: the inbox (待我审批), a request with its snapshot and decision form, flows, delegations."""

urlpatterns = []
