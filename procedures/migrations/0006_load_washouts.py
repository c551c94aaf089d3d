"""Load the second edition's washout groups and washout table (rules-v2.md section 2).

The defaults come from `procedures.washouts_data` as it stood when this migration was
written into history; later changes are staff edits in the admin (or new migrations).
A group, a membership or a row that already exists is left as it is, and every created
row gets its first history row, as an admin edit would.

The prerequisites (section 3) are loaded by a later migration, together with the
booking paths that read the patient's sessions: loaded alone they would refuse every
booking of a procedure that needs a consultation, since no path could see one yet.
Washouts only ever fire on sessions a path passes, so they are safe to load first.
"""

from django.db import migrations
from django.utils import timezone

REASON = "Second edition of the screening rules (rules-v2.md)"


def _history(apps, model_name, instance, now, kind):
    """Write the historical row simple-history would have written for this change."""
    Historical = apps.get_model("procedures", f"Historical{model_name}")
    values = {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }
    Historical.objects.create(
        **values,
        history_date=now,
        history_type=kind,
        history_change_reason=REASON,
        history_user=None,
    )


def forwards(apps, schema_editor):
    from procedures.washouts_data import WASHOUT_GROUPS, WASHOUTS

    Procedure = apps.get_model("procedures", "Procedure")
    WashoutGroup = apps.get_model("procedures", "WashoutGroup")
    WashoutRule = apps.get_model("procedures", "WashoutRule")
    now = timezone.now()
    procedures = {p.slug: p for p in Procedure.objects.all()}
    groups = {}
    for order, entry in enumerate(WASHOUT_GROUPS, start=1):
        group = WashoutGroup.objects.filter(code=entry.code).first()
        if group is None:
            group = WashoutGroup.objects.create(
                code=entry.code,
                name=entry.name_en,  # the untranslated column mirrors the default language
                name_en=entry.name_en,
                name_ru=entry.name_ru,
                display_order=order * 10,
            )
            _history(apps, "WashoutGroup", group, now, "+")
        groups[entry.code] = group
        for slug in entry.procedures:
            procedure = procedures.get(slug)
            if procedure is not None and procedure.washout_group_id is None:
                procedure.washout_group = group
                procedure.save(update_fields=["washout_group"])
                _history(apps, "Procedure", procedure, now, "~")
    for entry in WASHOUTS:
        later_group = groups.get(entry.later_group) if entry.later_group else None
        later_procedure = procedures.get(entry.later_procedure) if entry.later_procedure else None
        if later_group is None and later_procedure is None:
            continue
        severity = "absolute" if entry.absolute else "relative"
        row, created = WashoutRule.objects.get_or_create(
            earlier_group=groups[entry.earlier_group],
            later_group=later_group,
            later_procedure=later_procedure,
            severity=severity,
            defaults={"days": entry.days, "source": entry.source},
        )
        if created:
            _history(apps, "WashoutRule", row, now, "+")


def backwards(apps, schema_editor):
    from procedures.washouts_data import WASHOUT_GROUPS

    Procedure = apps.get_model("procedures", "Procedure")
    codes = [entry.code for entry in WASHOUT_GROUPS]
    apps.get_model("procedures", "WashoutRule").objects.all().delete()
    Procedure.objects.filter(washout_group__code__in=codes).update(washout_group=None)
    apps.get_model("procedures", "WashoutGroup").objects.filter(code__in=codes).delete()
    for model_name in ("HistoricalWashoutRule", "HistoricalWashoutGroup"):
        apps.get_model("procedures", model_name).objects.filter(
            history_change_reason=REASON
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0005_catalogue_second_edition")]

    operations = [migrations.RunPython(forwards, backwards)]
