from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Procedures")

    def ready(self) -> None:
        """Screen by slug against the database's rules; forget and announce their changes."""
        from . import page_cache, screening, signals
        from .models import Prerequisite, Procedure, ProcedureRule, WashoutGroup, WashoutRule
        from .selectors import clear_rules_cache, rules_loader

        screening.set_rules_loader(rules_loader)
        for model in (Procedure, ProcedureRule, WashoutGroup, WashoutRule, Prerequisite):
            post_save.connect(clear_rules_cache, sender=model, dispatch_uid=f"rules-{model}-save")
            post_delete.connect(
                clear_rules_cache, sender=model, dispatch_uid=f"rules-{model}-delete"
            )
        # Public pages show the catalogue: an edit replaces the kept pages once committed.
        for model in (Procedure, ProcedureRule, WashoutGroup, WashoutRule, Prerequisite):
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    page_cache.invalidate_on_commit,
                    sender=model,
                    dispatch_uid=f"public-pages-{model}-{name}",
                )
        signals.screening_rules_changed.connect(
            page_cache.invalidate_after_rules_change, dispatch_uid="public-pages-rules"
        )
        for model in (Procedure, WashoutRule):
            pre_save.connect(
                signals.remember_before_save, sender=model, dispatch_uid=f"before-{model}"
            )
        post_save.connect(
            signals.procedure_saved, sender=Procedure, dispatch_uid="changed-procedure"
        )
        for name, signal in (("save", post_save), ("delete", post_delete)):
            for model in (ProcedureRule, Prerequisite):
                signal.connect(
                    signals.rule_row_changed, sender=model, dispatch_uid=f"changed-{model}-{name}"
                )
            signal.connect(
                signals.washout_changed, sender=WashoutRule, dispatch_uid=f"changed-washout-{name}"
            )
