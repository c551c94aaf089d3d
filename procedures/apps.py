from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Procedures")

    def ready(self) -> None:
        """Screen by slug against the database's rules, and forget them when they change."""
        from . import screening
        from .models import Procedure, ProcedureRule
        from .selectors import clear_rules_cache, rules_loader

        screening.set_rules_loader(rules_loader)
        for model in (Procedure, ProcedureRule):
            post_save.connect(clear_rules_cache, sender=model, dispatch_uid=f"rules-{model}-save")
            post_delete.connect(
                clear_rules_cache, sender=model, dispatch_uid=f"rules-{model}-delete"
            )
