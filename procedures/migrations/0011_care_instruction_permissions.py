"""Let clinicians edit the care instructions in the admin, as they edit a procedure's texts.

Practitioners and managers add, change and delete them; receptionists may only look.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = tuple(f"{action}_careinstruction" for action in ("view", "add", "change", "delete"))
GRANTS = {"receptionist": ("view_careinstruction",), "practitioner": ALL, "manager": ALL}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="procedures", codename__in=codenames)


def grant(apps, schema_editor):
    # Permissions are normally created after the last migration (post_migrate).
    app_config = apps.get_app_config("procedures")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for group_name, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group_name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [("procedures", "0010_load_care_instructions")]

    operations = [migrations.RunPython(grant, revoke)]
