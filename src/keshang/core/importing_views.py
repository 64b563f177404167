"""The import pages moved into the importing package (``keshang.core.importing.views``). This name stays only
while partners and catalog, reshaped on their own branches, still import their upload page's base from here;
remove it once they import ``keshang.core.importing.views.ImportUploadView``."""

from .importing.views import ImportUploadView

__all__ = ["ImportUploadView"]
