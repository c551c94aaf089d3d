"""Load the 24 procedures of the catalogue, with their rules, into every new database.

The data comes from `procedures.catalogue_data` as it stood when this migration
was written into history; later corrections to the catalogue are new migrations
(or staff edits in the admin), never an edit of this one. A procedure whose slug
already exists is left as it is. Each created row also gets its first history
row ("loaded from the catalogue"), so the admin's history starts at the source.
"""

from django.db import migrations
from django.utils import timezone

REASON = "Loaded from the catalogue"
TRANSLATED = ("name", "description", "downtime", "precare", "aftercare")


def _history(apps, model_name, instance, now):
    """Write the historical row simple-history would have written for a created object."""
    Historical = apps.get_model("procedures", f"Historical{model_name}")
    values = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
    }
    Historical.objects.create(
        **values,
        history_date=now,
        history_type="+",
        history_change_reason=REASON,
        history_user=None,
    )


def load_catalogue(apps, schema_editor):
    from procedures.catalogue_data import CATALOGUE

    Procedure = apps.get_model("procedures", "Procedure")
    ProcedureRule = apps.get_model("procedures", "ProcedureRule")
    now = timezone.now()
    existing = set(Procedure.objects.values_list("slug", flat=True))
    for order, entry in enumerate(CATALOGUE, start=1):
        if entry.slug in existing:
            continue
        texts = {}
        for name in TRANSLATED:
            english = getattr(entry, f"{name}_en")
            # The untranslated column mirrors the default language, as
            # modeltranslation keeps it when saving through the real model.
            texts[name] = english
            texts[f"{name}_en"] = english
            texts[f"{name}_ru"] = getattr(entry, f"{name}_ru")
        procedure = Procedure.objects.create(
            slug=entry.slug,
            category=entry.category,
            indicated_scar_types=list(entry.indicated_scar_types),
            sessions_min=entry.sessions_min,
            sessions_max=entry.sessions_max,
            interval_min_days=entry.interval_min_days,
            interval_max_days=entry.interval_max_days,
            booked_minutes=entry.booked_minutes,
            buffer_minutes=entry.buffer_minutes,
            room_kind=entry.room_kind,
            roles=list(entry.roles),
            price_from=entry.price_from,
            repeatable=entry.repeatable,
            recall_after_days=entry.recall_after_days,
            is_active=True,
            display_order=order * 10,
            **texts,
        )
        _history(apps, "Procedure", procedure, now)
        for severity, codes in (
            ("absolute", entry.absolute_rules),
            ("relative", entry.relative_rules),
        ):
            for code in codes:
                rule = ProcedureRule.objects.create(
                    procedure=procedure,
                    code=code,
                    severity=severity,
                    window_days=(
                        entry.retinoid_window_days if code == "PRECARE_TOPICAL_RETINOID" else None
                    ),
                )
                _history(apps, "ProcedureRule", rule, now)


def unload_catalogue(apps, schema_editor):
    from procedures.catalogue_data import CATALOGUE

    Procedure = apps.get_model("procedures", "Procedure")
    slugs = [entry.slug for entry in CATALOGUE]
    Procedure.objects.filter(slug__in=slugs).delete()
    for model_name in ("HistoricalProcedureRule", "HistoricalProcedure"):
        apps.get_model("procedures", model_name).objects.filter(
            history_change_reason=REASON
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_catalogue")]

    operations = [migrations.RunPython(load_catalogue, unload_catalogue)]
