"""The catalogue's default care instructions (issue #19, "care instructions on the right day").

- Every procedure with a retinoid and acid stop window of a week or more:
  "stop retinoid and acid products", that many days before (the window of
  `procedures.catalogue_data` as it stood when this migration was written into
  history); it rides on the pre-care notice of that day. A shorter stop (the
  superficial peels' 2 days) needs no message of its own: the reminder has it.
- The day before, for patients with a herpes history only: "start the
  antiviral your doctor prescribed", for the `deep` and `fractional` washout
  groups (rules-v2.md section 2) and the medium and deep peels.
- The day after every treatment: "SPF 50 for 10 days".
- Ozone therapy, the day of each session: "no sauna, steam room or solarium".
Later changes are staff edits in the admin; a procedure that already has
instructions (staff were first) is left as it is.
"""

from django.db import migrations

ANTIVIRAL_GROUPS = ("deep", "fractional")
MEDIUM_AND_DEEP_PEELS = ("tca-peel", "phenol-peel")
OZONE = "ozone-therapy"
LONG_WINDOW_DAYS = 7  # patients.messaging.reminders.PRECARE_NOTICE_MIN_DAYS
NO_CARE = ("consultation",)

STOP_RETINOID = (
    "Stop retinoid and acid products (tretinoin, adapalene, glycolic or salicylic acid) from "
    "today until your visit.",
    "С сегодняшнего дня и до визита прекратите пользоваться средствами с ретиноидами и "
    "кислотами (третиноин, адапален, гликолевая или салициловая кислота).",
)
ANTIVIRAL = (
    "Start the antiviral your doctor prescribed today and take it as prescribed.",
    "Начните сегодня принимать противовирусный препарат, назначенный врачом, по его схеме.",
)
SPF = (
    "Use SPF 50 sunscreen every day for the next 10 days, even when it is cloudy.",
    "В ближайшие 10 дней каждый день наносите солнцезащитное средство SPF 50, даже в пасмурную "
    "погоду.",
)
NO_SAUNA = (
    "During your ozone therapy course: no sauna, steam room or solarium.",
    "Во время курса озонотерапии не посещайте сауну, парную и солярий.",
)


def forwards(apps, schema_editor):
    from procedures.catalogue_data import CATALOGUE

    Procedure = apps.get_model("procedures", "Procedure")
    CareInstruction = apps.get_model("procedures", "CareInstruction")
    windows = {entry.slug: entry.retinoid_window_days for entry in CATALOGUE}
    taken = set(CareInstruction.objects.values_list("procedure_id", flat=True))

    def add(procedure, kind, offset, texts, *, herpes=False):
        CareInstruction.objects.create(
            procedure=procedure,
            kind=kind,
            offset_days=offset,
            text=texts[0],
            text_en=texts[0],
            text_ru=texts[1],
            only_with_herpes_history=herpes,
        )

    for procedure in Procedure.objects.select_related("washout_group").order_by("pk"):
        if procedure.pk in taken or procedure.slug in NO_CARE:
            continue
        window = windows.get(procedure.slug)
        if window and window >= LONG_WINDOW_DAYS:
            add(procedure, "pre", -window, STOP_RETINOID)
        group = procedure.washout_group.code if procedure.washout_group else None
        if group in ANTIVIRAL_GROUPS or procedure.slug in MEDIUM_AND_DEEP_PEELS:
            add(procedure, "pre", -1, ANTIVIRAL, herpes=True)
        add(procedure, "after", 1, SPF)
        if procedure.slug == OZONE:
            add(procedure, "after", 0, NO_SAUNA)


def backwards(apps, schema_editor):
    apps.get_model("procedures", "CareInstruction").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0009_care_instruction")]

    operations = [migrations.RunPython(forwards, backwards)]
