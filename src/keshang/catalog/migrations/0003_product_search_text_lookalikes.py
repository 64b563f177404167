"""Products' search texts as text.search_text now derives them (issue 12, finding 11): invisible characters
dropped, traditional characters simplified, so the search box (whose query is simplified the same way) still
finds products named in traditional characters. Only changed rows are written, in batches. Not reversible."""

from django.db import migrations

BATCH = 1000


def recompute_search_texts(apps, schema_editor):
    from keshang.partners import text

    Product = apps.get_model("catalog", "Product")
    batch = []
    rows = Product.objects.order_by("pk").only("pk", "name", "specification", "code", "barcode", "search_text")
    for product in rows.iterator(chunk_size=BATCH):
        search_text = text.search_text(product.name, product.specification, product.code, product.barcode)
        if search_text == product.search_text:
            continue
        product.search_text = search_text
        batch.append(product)
        if len(batch) == BATCH:
            Product.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Product.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_product_search_text"),
    ]

    operations = [
        migrations.RunPython(recompute_search_texts, migrations.RunPython.noop, elidable=True),
    ]
