"""Products named in traditional characters or with invisible ones are found as their simplified, visible
names (issue 12, finding 11): the search text and the query are normalised by the same function."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from keshang.catalog.models import Product
from keshang.catalog.selectors import product_search_condition
from keshang.catalog.tests.factories import ProductFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "query"), [("電阻器", "电阻"), ("电阻器", "電阻"), ("电\u200b阻器", "电阻"), ("电阻器", "电\u3164阻")]
)
def test_the_search_box_finds_a_product_in_either_script_and_ignores_invisible_characters(name, query):
    product = ProductFactory(name=name)
    ProductFactory(name="电容")
    assert list(Product.objects.filter(product_search_condition(query))) == [product]


@pytest.mark.django_db(transaction=True)
def test_the_migration_recomputes_the_search_text_of_existing_products():
    # given: a product stored with the search text of before the fix
    before = [("catalog", "0002_product_search_text")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_product = old_apps.get_model("catalog", "Product")
    unit = old_apps.get_model("catalog", "Unit").objects.create(name="個")
    old_product.objects.create(code="P1", name="電阻器", unit=unit, search_text="電阻器 dianzuqi dzq p1")
    # when
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then
    assert Product.objects.filter(product_search_condition("电阻")).count() == 1
