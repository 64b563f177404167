from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "keshang.web"
    label = "web"
    verbose_name = _("界面")

    def ready(self):
        from keshang.core.registry import HomeWidget, register_home_widget

        from .deadlines import deadlines_widget

        register_home_widget(HomeWidget("deadlines", "web/widgets/deadlines.html", deadlines_widget, 8))
