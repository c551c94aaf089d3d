"""Load the second edition's prerequisites (rules-v2.md section 3).

Held back from 0006 until every booking path passes the patient's other sessions
to screening (`patients.records.selectors.screening_inputs`): with them, a done
or booked consultation satisfies the rule, and a refusal for a missing one offers
consultation times. The defaults come from `procedures.washouts_data` as it stood
when this migration was written into history; later changes are staff edits in
the admin. A row that already exists (a staff edit made first) is left as it is,
and every created row gets its first history row, as an admin edit would.
"""

from django.db import migrations
from django.utils import timezone

REASON = "Second edition of the screening rules (rules-v2.md): prerequisites"


def forwards(apps, schema_editor):
    from procedures.washouts_data import PREREQUISITES

    Procedure = apps.get_model("procedures", "Procedure")
    Prerequisite = apps.get_model("procedures", "Prerequisite")
    Historical = apps.get_model("procedures", "HistoricalPrerequisite")
    now = timezone.now()
    procedures = {p.slug: p for p in Procedure.objects.all()}
    for entry in PREREQUISITES:
        procedure = procedures.get(entry.procedure)
        requires = procedures.get(entry.requires)
        if procedure is None or requires is None:
            continue
        row, created = Prerequisite.objects.get_or_create(
            procedure=procedure,
            requires=requires,
            defaults={
                "min_days": entry.min_days,
                "max_days": entry.max_days,
                "offer_slots": entry.offer_slots,
                "source": entry.source,
            },
        )
        if created:
            values = {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
            Historical.objects.create(
                **values,
                history_date=now,
                history_type="+",
                history_change_reason=REASON,
                history_user=None,
            )


def backwards(apps, schema_editor):
    apps.get_model("procedures", "Prerequisite").objects.all().delete()
    apps.get_model("procedures", "HistoricalPrerequisite").objects.filter(
        history_change_reason=REASON
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0007_washout_permissions")]

    operations = [migrations.RunPython(forwards, backwards)]
