"""Partners get a code (客户编号 / 供应商编号) and a country.

Existing partners are given their codes here, not left blank: a code is how people quote a customer on the
phone and in other systems, and a list where old customers have none and new ones do would have to be
explained forever. They are numbered as the services number a new partner (core.numbering's format, C for
customers, S for suppliers only), by the month each partner was created and in creation order, and the
sequences are set past the numbers used, so the next partner continues them. The code joins the search text
(as services.derive_partner_keys writes it: the code comes last, and is ASCII, so it has no pinyin).

Adding the columns makes Django's SQLite schema editor rebuild partners_partner, which drops the full-text
triggers of 0003: they are recreated at the end, and the index rebuilt from the new search text.
"""

import importlib

from django.db import migrations, models
from django.utils import timezone

import keshang.partners.countries

search_index = importlib.import_module("keshang.partners.migrations.0003_search_index")

BATCH = 2000


def give_existing_partners_codes(apps, schema_editor):
    from keshang.core.numbering import format_number
    from keshang.partners.search import grams_of

    Partner = apps.get_model("partners", "Partner")
    PartnerSearchGram = apps.get_model("partners", "PartnerSearchGram")
    NumberSequence = apps.get_model("core", "NumberSequence")
    last_values: dict[tuple[str, str], int] = {}
    rows = Partner.objects.filter(code__isnull=True).order_by("pk")
    batch = []
    for pk, is_customer, created_at, search_text in rows.values_list(
        "pk", "is_customer", "created_at", "search_text"
    ).iterator(chunk_size=BATCH):
        key = ("C" if is_customer else "S", timezone.localtime(created_at).strftime("%Y%m"))
        if key not in last_values:
            sequence = NumberSequence.objects.filter(doc_type=key[0], period=key[1]).first()
            last_values[key] = sequence.last_value if sequence else 0
        last_values[key] += 1
        code = format_number(key[0], key[1], last_values[key])
        batch.append(Partner(pk=pk, code=code, search_text=f"{search_text} {code.lower()}".strip()))
        if len(batch) == BATCH:
            _write(Partner, PartnerSearchGram, batch, grams_of)
            batch = []
    if batch:
        _write(Partner, PartnerSearchGram, batch, grams_of)
    for (doc_type, period), last_value in last_values.items():
        NumberSequence.objects.update_or_create(
            doc_type=doc_type, period=period, defaults={"last_value": last_value}
        )


def _write(Partner, PartnerSearchGram, batch, grams_of):
    Partner.objects.bulk_update(batch, ["code", "search_text"])
    PartnerSearchGram.objects.filter(partner_id__in=[partner.pk for partner in batch]).delete()
    PartnerSearchGram.objects.bulk_create(
        PartnerSearchGram(partner_id=partner.pk, gram=gram)
        for partner in batch
        for gram in sorted(grams_of(partner.search_text))
    )


def recreate_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in search_index.SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("partners", "0007_owner_index_covers_department"),
    ]

    operations = [
        migrations.AddField(
            model_name="partner",
            name="code",
            field=models.CharField(
                blank=True,
                error_messages={"unique": "该编号已被其他客商使用。"},
                help_text="客户编号或供应商编号；新建时不填则自动生成。",
                max_length=30,
                null=True,
                unique=True,
                verbose_name="编号",
            ),
        ),
        migrations.AddField(
            model_name="partner",
            name="country",
            field=models.CharField(
                choices=keshang.partners.countries.country_choices,
                default="CN",
                max_length=2,
                verbose_name="国家/地区",
            ),
        ),
        migrations.RunPython(give_existing_partners_codes, migrations.RunPython.noop),
        migrations.RunPython(recreate_search_triggers, migrations.RunPython.noop),
    ]
