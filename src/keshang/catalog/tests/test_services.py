"""Catalog services: duplicate control (商品排重), the category tree's paths, parts audited on the product,
sellability, and refusals that leave nothing half-written."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from keshang.catalog import services
from keshang.catalog.models import PriceRule, PriceRuleKind, Product, ProductCategory, ProductStatus, Unit
from keshang.catalog.tests.factories import (
    BrandFactory,
    CategoryFactory,
    PriceRuleFactory,
    ProductFactory,
    ProductUnitFactory,
    UnitFactory,
)
from keshang.core.attachments import upload_attachment
from keshang.core.exceptions import ApplicationError
from keshang.core.models import Attachment, AuditAction, AuditEntry
from keshang.org.tests.factories import UserFactory
from keshang.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def product_data(**overrides):
    unit = Unit.objects.get_or_create(name="个")[0]
    return {"code": "R-0603-10K", "name": "贴片电阻", "specification": "0603 10KΩ ±1%", "unit": unit, **overrides}


#
# Duplicate control
#


@pytest.mark.parametrize(
    ("name", "specification"),
    [
        ("贴片电阻", "0603 10KΩ ±1%"),
        ("贴片电阻 ", "０６０３　１０ｋΩ　±1%"),  # full-width, case, spaces
        ("贴片电阻", "0603-10kω,±1%"),  # punctuation
        ("贴片 电阻", "060310KΩ±1%"),
    ],
)
def test_same_name_and_spec_written_differently_is_a_duplicate_naming_the_existing_code(name, specification):
    # given
    services.create_product(actor=None, data=product_data())
    # when
    with pytest.raises(services.DuplicateProductError) as error:
        services.create_product(actor=None, data=product_data(code="R-OTHER", name=name, specification=specification))
    # then
    assert "R-0603-10K" in error.value.message
    assert error.value.code == "duplicate_product"
    assert Product.objects.count() == 1


def test_a_confirmed_duplicate_is_saved():
    # given
    services.create_product(actor=None, data=product_data())
    # when
    services.create_product(actor=None, data=product_data(code="R-OTHER"), confirm_duplicate=True)
    # then
    assert Product.objects.count() == 2


def test_name_and_spec_cannot_trade_words_to_dodge_or_trip_the_check():
    # given: "A" + "B1" is not "AB" + "1"
    services.create_product(actor=None, data=product_data(name="电容A", specification="B1"))
    # when
    services.create_product(actor=None, data=product_data(code="X2", name="电容AB", specification="1"))
    # then
    assert Product.objects.count() == 2


def test_a_taken_code_is_refused_with_a_clear_message_even_in_another_case():
    # given
    services.create_product(actor=None, data=product_data())
    # when
    with pytest.raises(ApplicationError) as error:
        services.create_product(
            actor=None, data=product_data(code=" r-0603-10k ", name="别的商品"), confirm_duplicate=True
        )
    # then
    assert error.value.code == "duplicate_code"
    assert "贴片电阻" in error.value.fields["code"][0]


def test_editing_other_fields_of_a_confirmed_duplicate_does_not_ask_again():
    # given
    services.create_product(actor=None, data=product_data())
    twin = services.create_product(actor=None, data=product_data(code="TWIN"), confirm_duplicate=True)
    # when
    updated = services.update_product(actor=None, product=twin, data={"list_price": Decimal("5")})
    # then
    assert updated.list_price == Decimal("5")


def test_renaming_into_a_duplicate_is_refused():
    # given
    services.create_product(actor=None, data=product_data())
    other = services.create_product(actor=None, data=product_data(code="C1", name="电容", specification="10uF"))
    # when / then
    with pytest.raises(services.DuplicateProductError) as refused:
        services.update_product(actor=None, product=other, data={"name": "贴片电阻", "specification": "0603 10KΩ ±1%"})
    assert refused.value.code == "duplicate_product"
    other.refresh_from_db()
    assert other.name == "电容"


def test_min_price_above_list_price_is_a_field_error_and_nothing_is_saved():
    with pytest.raises(ValidationError) as error:
        services.create_product(actor=None, data=product_data(list_price=Decimal("10"), min_price=Decimal("12")))
    assert "min_price" in error.value.message_dict
    assert not Product.objects.exists()
    assert not AuditEntry.objects.exists()


def test_create_and_update_are_audited_with_the_actor():
    # given
    user = UserFactory()
    # when
    product = services.create_product(actor=user, data=product_data())
    services.update_product(actor=user, product=product, data={"list_price": Decimal("0.05")})
    services.update_product(actor=user, product=product, data={"list_price": Decimal("0.05")})  # no change
    # then
    actions = list(AuditEntry.objects.for_object(product).values_list("action", flat=True).order_by("pk"))
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]
    assert product.created_by == user


def test_search_text_has_pinyin_initials_spec_and_code():
    product = services.create_product(actor=None, data=product_data())
    assert "tpdz" in product.search_text
    assert "0603" in product.search_text
    assert "r-0603-10k" in product.search_text


def test_discontinued_products_are_not_sellable():
    # given
    product = ProductFactory()
    # when
    discontinued = services.update_product(actor=None, product=product, data={"status": ProductStatus.DISCONTINUED})
    # then
    assert services.is_sellable(ProductFactory())
    assert not services.is_sellable(discontinued)
    with pytest.raises(ApplicationError) as error:
        services.check_sellable(discontinued)
    assert error.value.code == "product_discontinued" and "product" in error.value.fields


#
# Parts: unit conversions and price rules
#


def test_parts_are_recorded_in_the_products_history():
    # given
    user = UserFactory()
    product = ProductFactory()
    # when
    conversion = services.save_product_unit(
        actor=user, product=product, data={"unit": UnitFactory(name="箱"), "factor": Decimal("12")}
    )
    rule = services.save_price_rule(
        actor=user, product=product, data={"kind": PriceRuleKind.QUANTITY, "min_quantity": 100, "price": 90}
    )
    services.delete_price_rule(actor=user, rule=rule)
    # then
    related = AuditEntry.objects.filter(related_object_id=str(product.pk)).values_list("action", flat=True)
    assert sorted(related) == sorted([AuditAction.CREATE, AuditAction.CREATE, AuditAction.DELETE])
    assert str(conversion) == "1 箱 = 12 个"


def test_the_base_unit_cannot_also_be_a_conversion():
    product = ProductFactory()
    with pytest.raises(ApplicationError) as error:
        services.save_product_unit(actor=None, product=product, data={"unit": product.unit, "factor": Decimal("1")})
    assert "unit" in error.value.fields


def test_the_same_conversion_unit_twice_is_refused():
    product = ProductFactory()
    ProductUnitFactory(product=product)
    with pytest.raises(ValidationError) as refused:
        ProductUnitFactory(product=product)
    assert refused.value.message_dict == {"__all__": ["该商品已有此单位的换算。"]}


def test_a_rule_switched_to_another_kind_drops_the_old_target():
    # given
    rule = PriceRuleFactory(kind=PriceRuleKind.CUSTOMER, partner=PartnerFactory(), price=Decimal("90"))
    # when
    rule = services.save_price_rule(
        actor=None, product=rule.product, rule=rule, data={"kind": PriceRuleKind.QUANTITY, "min_quantity": 10}
    )
    # then
    rule.refresh_from_db()
    assert (rule.kind, rule.partner_id) == (PriceRuleKind.QUANTITY, None)


def test_a_customer_rule_without_a_customer_is_refused():
    with pytest.raises(ApplicationError) as error:
        services.save_price_rule(
            actor=None, product=ProductFactory(), data={"kind": PriceRuleKind.CUSTOMER, "price": Decimal("1")}
        )
    assert "partner" in error.value.fields
    assert not PriceRule.objects.exists()


def test_a_rule_ending_before_it_starts_is_refused():
    import datetime

    with pytest.raises(ValidationError) as refused:
        PriceRuleFactory(valid_from=datetime.date(2026, 2, 1), valid_until=datetime.date(2026, 1, 1))
    assert refused.value.message_dict == {"__all__": ["失效日期不能早于生效日期。"]}


def test_deleting_a_product_audits_its_parts_against_it():
    # given
    product = ProductFactory()
    ProductUnitFactory(product=product)
    PriceRuleFactory(product=product)
    pk = product.pk
    # when
    services.delete_product(actor=None, product=product)
    # then
    assert not Product.objects.filter(pk=pk).exists()
    deletes = AuditEntry.objects.filter(action=AuditAction.DELETE)
    assert deletes.filter(related_object_id=str(pk)).count() == 2
    assert (
        deletes.filter(object_id=str(pk), related_object_id="").count()
        + deletes.filter(object_id=str(pk), related_object_id__isnull=True).count()
        == 1
    )


#
# Categories, brands, units
#


def test_category_paths_follow_moves_of_a_subtree():
    # given
    electronics = CategoryFactory(name="电子")
    resistors = CategoryFactory(name="电阻", parent=electronics)
    smd = CategoryFactory(name="贴片电阻", parent=resistors)
    office = CategoryFactory(name="办公")
    # when
    services.save_category(actor=None, instance=resistors, data={"parent": office})
    # then
    smd.refresh_from_db()
    assert smd.path == f"/{office.pk}/{resistors.pk}/{smd.pk}/"
    assert smd.depth == 2


def test_a_category_cannot_move_below_itself():
    # given
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    # when / then
    with pytest.raises(ApplicationError) as error:
        services.save_category(actor=None, instance=parent, data={"parent": child})
    assert error.value.code == "category_cycle"
    parent.refresh_from_db()
    assert parent.parent_id is None


def test_a_category_with_children_or_products_is_not_deleted():
    # given
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    ProductFactory(category=child)
    # when / then
    with pytest.raises(ApplicationError) as refused:
        services.delete_category(actor=None, instance=parent)
    assert refused.value.code == "protected"
    with pytest.raises(ApplicationError) as refused:
        services.delete_category(actor=None, instance=child)
    assert refused.value.code == "protected"
    assert ProductCategory.objects.count() == 2


def test_a_brand_in_use_is_not_deleted_but_an_unused_one_is_and_audited():
    used = BrandFactory()
    ProductFactory(brand=used)
    unused = BrandFactory()
    unused_pk = unused.pk
    with pytest.raises(ApplicationError) as refused:
        services.delete_brand(actor=None, instance=used)
    assert refused.value.code == "protected"
    services.delete_brand(actor=None, instance=unused)
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_id=str(unused_pk)).count() == 1


def test_a_unit_in_use_is_not_deleted():
    product = ProductFactory()
    with pytest.raises(ApplicationError) as refused:
        services.delete_unit(actor=None, instance=product.unit)
    assert refused.value.code == "protected"
    assert Unit.objects.filter(pk=product.unit_id).exists()


def test_unknown_fields_are_a_programming_error():
    with pytest.raises(ValueError):
        services.create_product(actor=None, data=product_data(colour="red"))


def test_a_product_takes_images_only():
    # given a product and a PDF and a PNG
    product = ProductFactory()
    pdf = SimpleUploadedFile("说明书.pdf", b"%PDF-1.4\n" + b"0" * 100)
    png = SimpleUploadedFile("图片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    # when / then the PDF is refused with a field message, the image kept
    with pytest.raises(ValidationError) as error:
        upload_attachment(actor=None, obj=product, upload=pdf)
    assert "file" in error.value.message_dict
    upload_attachment(actor=None, obj=product, upload=png)
    assert [attachment.name for attachment in Attachment.objects.for_object(product)] == ["图片.png"]
