"""Partners: merging (being built; see issue 3)."""


def register() -> None:
    """Menu items, detail tabs and periodic jobs of this feature; called from PartnersConfig.ready()."""
