"""Opportunities (商机): services, selectors and registrations."""


def register() -> None:
    pass
