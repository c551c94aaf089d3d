"""Give the staff role groups their admin permissions on the patients' models.

Who sees what: receptionists see patients' contact details only; practitioners
also see intake versions, photos and signed consents; managers see all of it,
the audit log and erasure requests, publish new consent texts and complete
erasures. Nobody may change or delete intake versions, signatures or audit
rows (the admin refuses that whatever the permissions).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "receptionist": ["view_patientprofile"],
    "practitioner": [
        "view_patientprofile",
        "view_intakeversion",
        "view_photo",
        "view_consenttext",
        "view_consentsignature",
    ],
    "manager": [
        "view_patientprofile",
        "view_intakeversion",
        "view_photo",
        "view_consenttext",
        "add_consenttext",
        "view_consentsignature",
        "view_auditentry",
        "view_erasurerequest",
        "change_erasurerequest",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
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
        ("patients", "0002_seed_consent_texts"),
        ("clinic", "0002_staff_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
