"""Quotations and sales orders: services, selectors and registrations."""


def register() -> None:
    pass
