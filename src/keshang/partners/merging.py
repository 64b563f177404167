"""Kept only for ``catalog/apps.py``, which registers its merge step through ``keshang.partners.merging`` and is
being reshaped on another branch: the merge-step registry is ``partners/registry.py``, the merge
``services/merging.py``. Remove this module once catalog imports ``keshang.partners.registry``."""

from .registry import register_merge_step

__all__ = ["register_merge_step"]
