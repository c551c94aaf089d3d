"""Run the outbox dispatcher every minute, and let the desk and managers see the outbox.

The schedule is a django-celery-beat PeriodicTask (not code), so staff see and
edit it in the admin. Receptionists and managers see every patient's messages
and may retry failed ones (the admin action needs the change permission).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TASK_NAME = "Send due patient messages (outbox)"
GRANTS = {
    "receptionist": ["view_outboxmessage", "change_outboxmessage"],
    "manager": ["view_outboxmessage", "change_outboxmessage"],
}


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _created = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "patients.tasks.dispatch_due_messages",
            "interval": every_minute,
            "enabled": True,
            # A dispatcher run that missed its minute is useless once the next one started.
            "expire_seconds": 60,
        },
    )
    app_config = apps.get_app_config("patients")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="patients", codename__in=codenames)
        )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_outbox_and_recall_preference"),
        ("patients", "0003_grant_role_permissions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
