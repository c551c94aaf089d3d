"""Ask the SMS gateway every five minutes how recent text messages fared (delivery reports).

A django-celery-beat PeriodicTask like the dispatcher's (0008), so staff see it in the admin.
"""

from django.db import migrations

TASK_NAME = "Read SMS delivery reports"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five, _created = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "patients.tasks.poll_sms_statuses",
            "interval": every_five,
            "enabled": True,
            "expire_seconds": 300,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0015_sms_channel_and_message_preferences"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
