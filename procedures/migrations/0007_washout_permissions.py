"""Let clinicians edit washouts and prerequisites in the admin, as they edit rules.

Practitioners add, change and delete washout rows and prerequisites and see the
groups; managers hold every permission on the three tables, groups included;
receptionists may only look.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("washoutgroup", "washoutrule", "prerequisite")
GRANTS = {
    "receptionist": tuple(f"view_{model}" for model in MODELS),
    "practitioner": (
        "view_washoutgroup",
        *(f"{action}_{model}" for model in MODELS[1:] for action in ("view", "add", "change", "delete")),
    ),
    "manager": tuple(
        f"{action}_{model}" for model in MODELS for action in ("view", "add", "change", "delete")
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
    dependencies = [("procedures", "0006_load_washouts")]

    operations = [migrations.RunPython(grant, revoke)]
