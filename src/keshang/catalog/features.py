"""The catalog's registrations beyond resources and menu: importer, demo loader, setup step."""


def register() -> None:
    pass
