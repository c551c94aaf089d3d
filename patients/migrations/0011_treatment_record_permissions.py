"""Give the staff roles their admin permissions on the treatment record (issue #17).

Practitioners read charts, adverse events, products, lots and recalls; managers
read them too, keep the products and lots, and edit the procedures' parameter
schemas (with their parameters, an inline). Nobody gets a delete permission on the
record: charts, addenda, products used, events and lots are never deleted.
Receptionists get nothing here: they only see whether a chart is signed.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = [
    "view_treatmentvisit",
    "view_treatmentprocedure",
    "view_chartaddendum",
    "view_adverseevent",
    "view_product",
    "view_productlot",
    "view_lotrecall",
    "view_parameterschema",
]
GRANTS = {
    "practitioner": READ,
    "manager": [
        *READ,
        "view_recordlock",
        "add_product",
        "change_product",
        "add_productlot",
        "change_productlot",
        "add_parameterschema",
        "change_parameterschema",
        "view_parameterdefinition",
        "add_parameterdefinition",
        "change_parameterdefinition",
        "delete_parameterdefinition",
    ],
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
        ("patients", "0010_parameter_schemas_for_the_catalogue"),
        ("clinic", "0002_staff_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
