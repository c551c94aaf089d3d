"""Let managers read the sign-in log that django-axes keeps.

Successful logins (AccessLog), failed ones (AccessFailureLog) and the current
lockouts (AccessAttempt) appear in the admin under "Axes". Managers see all
three and may delete a lockout, which lets a locked-out patient or colleague in
again before the cool-off ends. Nobody else sees them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = (
    "view_accesslog",
    "view_accessfailurelog",
    "view_accessattempt",
    "delete_accessattempt",
)


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="axes", codename__in=CODENAMES)


def grant(apps, schema_editor):
    # Permissions are normally created after the last migration (post_migrate).
    app_config = apps.get_app_config("axes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name="manager")
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="manager"):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_resource_permissions"),
        ("axes", "0010_accessattemptexpiration"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
