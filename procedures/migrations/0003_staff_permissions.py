"""Let clinicians edit the catalogue and its rules in the admin; receptionists may look.

Practitioners change procedures and add, change or delete their screening
rules (a clinician changes a rule without a deploy); managers hold every
catalogue permission; receptionists may only view. Adding or deleting a whole
procedure is the manager's.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "receptionist": ("view_procedure", "view_procedurerule"),
    "practitioner": (
        "view_procedure",
        "change_procedure",
        "view_procedurerule",
        "add_procedurerule",
        "change_procedurerule",
        "delete_procedurerule",
    ),
    "manager": (
        "view_procedure",
        "add_procedure",
        "change_procedure",
        "delete_procedure",
        "view_procedurerule",
        "add_procedurerule",
        "change_procedurerule",
        "delete_procedurerule",
    ),
}


def grant(apps, schema_editor):
    # Permissions are normally created after the last migration (post_migrate);
    # create this app's now so they can be granted here.
    app_config = apps.get_app_config("procedures")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="procedures", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="procedures", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0002_load_catalogue"),
        ("clinic", "0002_staff_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
