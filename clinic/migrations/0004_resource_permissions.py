"""Let staff work with the clinic's resources in the admin.

Managers hold every permission on practitioners, rooms, hours and closures.
Receptionists see them all and record closures (a practitioner's sick day, a
room's maintenance), since the desk hears of those first; practitioners see
them. Changing who works when and what they may perform stays the manager's.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("practitioner", "room", "workinghours", "openinghours", "closure")
VIEW = tuple(f"view_{model}" for model in MODELS)
GRANTS = {
    "receptionist": (*VIEW, "add_closure", "change_closure", "delete_closure"),
    "practitioner": VIEW,
    "manager": tuple(
        f"{action}_{model}" for model in MODELS for action in ("view", "add", "change", "delete")
    ),
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="clinic", codename__in=codenames)


def grant(apps, schema_editor):
    # Permissions are normally created after the last migration (post_migrate);
    # create this app's now so they can be granted here.
    app_config = apps.get_app_config("clinic")
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
    dependencies = [
        ("clinic", "0003_practitioners_rooms_hours_closures"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
