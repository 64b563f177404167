"""Stored duplicate keys and search texts as text.canonical_text now derives them (issue 12, finding 11).

Keys and search texts now ignore invisible characters (format characters, Hangul fillers) and read traditional
characters as simplified, and names and short names are stored without invisible characters. Existing partners
are brought in line, as services.derive_partner_keys would write them, with their search bigrams, and so are
contacts' search texts. Only rows that change are written, in batches, with bulk_update (SQLite and PostgreSQL;
on SQLite the full-text triggers of 0003 follow the search text). Partners that were look-alike copies of each
other now share a name key: the duplicate finder (合并查重) shows them, as it shows any other duplicate.

Not reversible: the old keys were the bug.
"""

from django.db import migrations

BATCH = 1000


def _partner_fields(partner, text) -> dict:
    name = text.strip_invisible(partner.name).strip() or partner.name
    short_name = text.strip_invisible(partner.short_name).strip()
    return {
        "name": name,
        "short_name": short_name,
        "name_key": text.name_key(name),
        "search_text": text.search_text(
            name, short_name, partner.credit_code or "", text.phone_digits(partner.phone), partner.code or ""
        ),
    }


def recompute_partners(apps, schema_editor):
    from keshang.partners import text
    from keshang.partners.search import grams_of

    Partner = apps.get_model("partners", "Partner")
    PartnerSearchGram = apps.get_model("partners", "PartnerSearchGram")
    fields = ["name", "short_name", "name_key", "search_text"]
    batch = []
    rows = Partner.objects.order_by("pk").only("pk", "name", "short_name", "credit_code", "phone", "code", *fields)
    for partner in rows.iterator(chunk_size=BATCH):
        derived = _partner_fields(partner, text)
        if all(getattr(partner, field) == value for field, value in derived.items()):
            continue
        for field, value in derived.items():
            setattr(partner, field, value)
        batch.append(partner)
        if len(batch) == BATCH:
            _write_partners(Partner, PartnerSearchGram, batch, fields, grams_of)
            batch = []
    if batch:
        _write_partners(Partner, PartnerSearchGram, batch, fields, grams_of)


def _write_partners(Partner, PartnerSearchGram, batch, fields, grams_of):
    Partner.objects.bulk_update(batch, fields)
    PartnerSearchGram.objects.filter(partner_id__in=[partner.pk for partner in batch]).delete()
    PartnerSearchGram.objects.bulk_create(
        PartnerSearchGram(partner_id=partner.pk, gram=gram)
        for partner in batch
        for gram in sorted(grams_of(partner.search_text))
    )


def recompute_contacts(apps, schema_editor):
    from keshang.partners import text

    Contact = apps.get_model("partners", "Contact")
    batch = []
    rows = Contact.objects.order_by("pk").only("pk", "name", "mobile", "email", "search_text")
    for contact in rows.iterator(chunk_size=BATCH):
        search_text = text.search_text(contact.name, text.phone_digits(contact.mobile), contact.email)
        if search_text == contact.search_text:
            continue
        contact.search_text = search_text
        batch.append(contact)
        if len(batch) == BATCH:
            Contact.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Contact.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0009_unverified_phones"),
    ]

    operations = [
        migrations.RunPython(recompute_partners, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(recompute_contacts, migrations.RunPython.noop, elidable=True),
    ]
