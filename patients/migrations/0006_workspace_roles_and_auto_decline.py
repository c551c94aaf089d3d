"""The staff workspace: each role's exact permissions on the patients' models.

Who sees what (issue 4) and who does what (issue 6):
- receptionist: patients' contact details, appointments (the list, its actions:
  check in, no-show, cancel), their history, courses and the waitlist; never
  intake versions, photos, consent signatures or review decisions;
- practitioner: the same plus intake versions, photos, consents and review
  decisions (the review queue and the day sheet);
- manager: everything the others have, plus the audit log, consent texts and
  erasure requests.
The patients app's permissions of each group are set to exactly these lists
(anything else granted on these models by hand is removed). Appointments are
never added or deleted in the admin (only the booking services make them);
`change_appointment` gates the admin actions, which call those services.

This migration used to create beat's row for `patients.tasks.auto_decline_reviews`;
the job is now declared beside its service (patients/booking/tasks.py) and put in
beat after migrate (clinic/periodic.py), which keeps a row this migration made.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

BOOKING_VIEW = [
    "view_patientprofile",
    "view_appointment",
    "change_appointment",
    "view_appointmentstatuschange",
    "view_treatmentcourse",
    "view_waitlistentry",
    "view_waitlistoffer",
]
HEALTH_VIEW = [
    "view_intakeversion",
    "view_photo",
    "view_consenttext",
    "view_consentsignature",
    "view_reviewdecision",
]
GRANTS = {
    "receptionist": BOOKING_VIEW,
    "practitioner": BOOKING_VIEW + HEALTH_VIEW,
    "manager": BOOKING_VIEW
    + HEALTH_VIEW
    + [
        "add_consenttext",
        "view_auditentry",
        "view_erasurerequest",
        "change_erasurerequest",
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
        others = group.permissions.filter(content_type__app_label="patients").exclude(
            codename__in=codenames
        )
        group.permissions.remove(*others)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="patients", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in GRANTS:
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="patients",
                    codename__in=[
                        "view_appointment",
                        "change_appointment",
                        "view_appointmentstatuschange",
                        "view_treatmentcourse",
                        "view_waitlistentry",
                        "view_waitlistoffer",
                        "view_reviewdecision",
                    ],
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0005_review_decisions"),
        ("clinic", "0002_staff_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
