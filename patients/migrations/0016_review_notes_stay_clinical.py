"""Notes written before the review decision had a reason stay clinical (issue #21).

Until now the practitioner wrote one text, shown to the patient and copied to the
appointment and its history, where the reception desk read it ("herpes flare last
week, on warfarin"). Those texts stay in the decision's clinical note; the copies
the desk reads (the appointment's reason and note to the patient, the history row)
are replaced by a neutral sentence, or emptied for an approval's note. The patient
already had the original by e-mail. A system decline is not clinical: its text
becomes the decision's reason as well.
"""

from django.db import migrations

NEUTRAL = "Declined after a practitioner's review."


def keep_notes_clinical(apps, schema_editor):
    decision_model = apps.get_model("patients", "ReviewDecision")
    appointment_model = apps.get_model("patients", "Appointment")
    change_model = apps.get_model("patients", "AppointmentStatusChange")
    decisions = decision_model.objects.exclude(note="").filter(reason="")
    for decision in decisions.iterator():
        if decision.by_id is None:
            decision.reason = decision.note
            decision.save(update_fields=["reason"])
            continue
        appointment = appointment_model.objects.get(pk=decision.appointment_id)
        changes = change_model.objects.filter(appointment=appointment, reason=decision.note)
        if decision.kind == "declined":
            if appointment.reason == decision.note:
                appointment.reason = NEUTRAL
            changes.update(reason=NEUTRAL)
        else:
            changes.update(reason="")
        if appointment.note_to_patient == decision.note:
            appointment.note_to_patient = ""
        appointment.save(update_fields=["reason", "note_to_patient"])


class Migration(migrations.Migration):
    dependencies = [("patients", "0015_review_decision_reason")]

    operations = [migrations.RunPython(keep_notes_clinical, migrations.RunPython.noop)]
