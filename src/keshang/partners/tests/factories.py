import factory
from django.test import override_settings
from factory.django import DjangoModelFactory

from keshang.org.tests.factories import UserFactory
from keshang.partners import services
from keshang.partners.models import Contact, Partner


class PartnerFactory(DjangoModelFactory):
    """Builds partners through the service, so derived keys and search text are real. Duplicates are data as
    it may already exist (what the merge finder is for): the factory saves them whoever owns the other one,
    so duplicate control is tested through the services, forms and API, not here."""

    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"测试贸易{n:04d}有限公司")
    owner = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        tags = kwargs.pop("tags", None)
        if "department" not in kwargs and kwargs.get("owner") is not None:
            kwargs["department"] = kwargs["owner"].department
        with override_settings(KESHANG_PARTNER_DUPLICATES=services.DUPLICATES_WARN):
            return services.create_partner(actor=None, data=kwargs, tags=tags, confirm_duplicate=True)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    mobile = "13900001111"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        partner = kwargs.pop("partner")
        return services.save_contact(actor=None, partner=partner, data=kwargs)
