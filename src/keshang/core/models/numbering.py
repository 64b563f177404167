"""Document number sequences (STYLE.md §6), handed out by ``core.numbering.next_number``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["NumberSequence"]


class NumberSequence(models.Model):
    """The last number handed out per document type and period (e.g. SO / 202611)."""

    doc_type = models.CharField(max_length=10)
    period = models.CharField(max_length=8)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("单据编号序列")
        verbose_name_plural = _("单据编号序列")
        constraints = [models.UniqueConstraint(fields=["doc_type", "period"], name="numbersequence_unique_period")]

    def __str__(self):
        return f"{self.doc_type}{self.period}: {self.last_value}"
