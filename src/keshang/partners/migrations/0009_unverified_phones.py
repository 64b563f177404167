"""An import may keep a phone number it cannot read, as typed and flagged (partner and contact).

Adding the column makes Django's SQLite schema editor rebuild partners_partner, which drops the full-text
triggers of 0003: they are recreated afterwards (see 0006).
"""

import importlib

from django.db import migrations, models

search_index = importlib.import_module("keshang.partners.migrations.0003_search_index")


def recreate_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in search_index.SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0008_partner_code_and_country"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="mobile_unverified",
            field=models.BooleanField(default=False, editable=False, verbose_name="手机未核实"),
        ),
        migrations.AddField(
            model_name="partner",
            name="phone_unverified",
            field=models.BooleanField(default=False, editable=False, verbose_name="电话未核实"),
        ),
        migrations.RunPython(recreate_search_triggers, migrations.RunPython.noop),
    ]
