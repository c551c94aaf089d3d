"""The five standard photo views, which procedures require photos, and who edits the views.

- Views (issue #18): front, left and right oblique 45 degrees, left and right
  profile, each with a one-line guide in English and Russian.
- Every procedure of the catalogue is photographed in the five views; photos are
  required for every procedure of the `deep`, `fractional` and `focal` washout
  groups (rules-v2.md section 2: the wounds whose result the clinic must show) and
  for every filler (category `filler`).
- Practitioners and managers add and change views in the admin; receptionists look.
Later changes are staff edits in the admin; a view that already exists is left as it is.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GUIDE_LIGHT = ("1 m away, even light from the front, no make-up, hair off the face, ",
               "1 м, ровный свет спереди, без макияжа, волосы убраны с лица, ")
VIEWS = (
    ("front", "Front", "Анфас", "eyes level, looking into the lens.", "глаза на уровне объектива."),
    (
        "oblique-left",
        "Left oblique 45°",
        "Левый полупрофиль 45°",
        "face turned 45° to the patient's right, left cheek to the lens.",
        "лицо повёрнуто на 45° вправо, к объективу левая щека.",
    ),
    (
        "oblique-right",
        "Right oblique 45°",
        "Правый полупрофиль 45°",
        "face turned 45° to the patient's left, right cheek to the lens.",
        "лицо повёрнуто на 45° влево, к объективу правая щека.",
    ),
    (
        "profile-left",
        "Left profile",
        "Левый профиль",
        "face turned 90°, only the left side seen, nose tip on the edge.",
        "лицо повёрнуто на 90°, видна только левая сторона.",
    ),
    (
        "profile-right",
        "Right profile",
        "Правый профиль",
        "face turned 90°, only the right side seen, nose tip on the edge.",
        "лицо повёрнуто на 90°, видна только правая сторона.",
    ),
)
REQUIRED_GROUPS = ("deep", "fractional", "focal")
REQUIRED_CATEGORIES = ("filler",)

ALL = tuple(f"{action}_photoview" for action in ("view", "add", "change", "delete"))
GRANTS = {"receptionist": ("view_photoview",), "practitioner": ALL, "manager": ALL}


def forwards(apps, schema_editor):
    PhotoView = apps.get_model("procedures", "PhotoView")
    Procedure = apps.get_model("procedures", "Procedure")
    views = []
    for order, (slug, name_en, name_ru, guide_en, guide_ru) in enumerate(VIEWS, start=1):
        view, _created = PhotoView.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name_en,
                "name_en": name_en,
                "name_ru": name_ru,
                "guide": GUIDE_LIGHT[0] + guide_en,
                "guide_en": GUIDE_LIGHT[0] + guide_en,
                "guide_ru": GUIDE_LIGHT[1] + guide_ru,
                "display_order": order * 10,
            },
        )
        views.append(view)
    for procedure in Procedure.objects.select_related("washout_group"):
        if not procedure.photo_views.exists():
            procedure.photo_views.add(*views)
        group = procedure.washout_group.code if procedure.washout_group else ""
        if group in REQUIRED_GROUPS or procedure.category in REQUIRED_CATEGORIES:
            Procedure.objects.filter(pk=procedure.pk).update(photos_required=True)
    _grant(apps)


def backwards(apps, schema_editor):
    Procedure = apps.get_model("procedures", "Procedure")
    Procedure.objects.update(photos_required=False)
    Procedure.photo_views.through.objects.all().delete()
    apps.get_model("procedures", "PhotoView").objects.filter(
        slug__in=[view[0] for view in VIEWS]
    ).delete()


def _grant(apps):
    # Permissions are normally created after the last migration (post_migrate).
    app_config = apps.get_app_config("procedures")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="procedures")
    for group_name, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*permissions.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("procedures", "0012_photo_views")]

    operations = [migrations.RunPython(forwards, backwards)]
