"""The search index: character bigrams, for the two-character queries trigram indexes cannot serve
(``partners/search.py`` maintains and reads it)."""

from django.db import models

from .partners import Partner

__all__ = ["PartnerSearchGram"]


class PartnerSearchGram(models.Model):
    """One two-character piece of a partner's name, short name or pinyin initials (see ``search.py``)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    gram = models.CharField(max_length=2)

    # Derived from the partner's own fields and rebuilt with them: a merge lets the duplicate's go with it.
    derived_from_partner = True

    class Meta:
        indexes = [models.Index(fields=["gram", "partner"], name="partner_gram_idx")]

    def __str__(self):
        return self.gram
