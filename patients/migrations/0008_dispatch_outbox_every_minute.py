"""Let the desk and managers see the outbox.

Receptionists and managers see every patient's messages and may retry failed ones
(the admin action needs the change permission). This migration used to create
beat's row for the outbox dispatcher; the job is now declared beside its service
(patients/messaging/tasks.py) and put in beat after migrate (clinic/periodic.py),
which keeps a row this migration made.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "receptionist": ["view_outboxmessage", "change_outboxmessage"],
    "manager": ["view_outboxmessage", "change_outboxmessage"],
}


def grant(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_outbox_and_recall_preference"),
        ("patients", "0003_grant_role_permissions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
