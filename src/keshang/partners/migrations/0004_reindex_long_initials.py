"""Bigrams now cover the initials of names longer than 8 characters (search.grams_of): rebuild them."""

from django.db import migrations


def reindex(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    PartnerSearchGram = apps.get_model("partners", "PartnerSearchGram")
    rows = Partner.objects.values_list("pk", "search_text").order_by("pk")
    batch = []
    for pk, search_text in rows.iterator(chunk_size=2000):
        batch.append((pk, search_text))
        if len(batch) == 2000:
            _write(PartnerSearchGram, batch)
            batch = []
    if batch:
        _write(PartnerSearchGram, batch)


def _write(PartnerSearchGram, batch):
    from keshang.partners.search import grams_of

    PartnerSearchGram.objects.filter(partner_id__in=[pk for pk, _text in batch]).delete()
    PartnerSearchGram.objects.bulk_create(
        PartnerSearchGram(partner_id=pk, gram=gram) for pk, text in batch for gram in sorted(grams_of(text or ""))
    )


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_search_index")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
