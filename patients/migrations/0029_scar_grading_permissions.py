"""Let practitioners and managers read scar gradings in the admin (issue #18).

Gradings are health data written by the grading page's service only: the admin
shows them read-only, and nobody gets add, change or delete permission there.
Receptionists get nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"practitioner": ["view_scargrading"], "manager": ["view_scargrading"]}


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


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="patients", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0028_scar_grading"),
        ("clinic", "0002_staff_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
