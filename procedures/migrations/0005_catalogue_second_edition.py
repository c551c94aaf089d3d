"""The catalogue's second edition (rules-v2.md sections 4 and 5) on a database of the first.

- Adds `rf-microneedling` (after `microneedling`) and `hyaluronic-filler-touch-up`
  (after `hyaluronic-filler`) with their rules, texts and pages, unless they exist.
- Renames `microneedling` to "Microneedling (mechanical)" in both languages, and
  drops "incl. RF" from its description, where the first edition's texts are unchanged.
- Corrects three procedures' stored rules: subcision (isotretinoin < 6 months
  relative, 6-12 months dropped), microdermabrasion (isotretinoin < 6 months
  relative), salicylic peel (pregnancy absolute, breastfeeding relative).

Each change is applied only where the row still holds the first edition's value, so a
clinician's edit is never overwritten (and a new database, loaded from the current
catalogue by 0002, needs none of it); each change writes its history row, as an
admin edit would. Reversible the same way.
"""

from django.db import migrations
from django.utils import timezone

REASON = "Second edition of the screening rules (rules-v2.md)"
TRANSLATED = ("name", "description", "downtime", "precare", "aftercare")
NEW = (("hyaluronic-filler-touch-up", "hyaluronic-filler"), ("rf-microneedling", "microneedling"))

# (procedure, code, first edition's severity or None, second edition's or None)
CORRECTIONS = (
    ("subcision", "ISOTRETINOIN_LT6M", "absolute", "relative"),
    ("subcision", "ISOTRETINOIN_6_12M", "absolute", None),
    ("microdermabrasion", "ISOTRETINOIN_LT6M", "absolute", "relative"),
    ("salicylic-peel", "PREGNANCY", "relative", "absolute"),
    ("salicylic-peel", "LACTATION", None, "relative"),
)

MICRONEEDLING_FIRST = {
    "name_en": "Microneedling (incl. RF)",
    "name_ru": "Микронидлинг (в том числе RF-микронидлинг)",
    "description_en": (
        "A device with very fine needles makes thousands of tiny punctures in the skin; in "
        "the RF version the needles also deliver radiofrequency heat. The skin answers by "
        "producing new collagen and elastin, which gradually lifts rolling and boxcar "
        "scars, shallow and deep. A course is 3 to 6 sessions 4 to 6 weeks apart."
    ),
    "description_ru": (
        "Аппарат с тончайшими иглами делает в коже тысячи микропроколов; при "
        "RF-микронидлинге через иглы дополнительно подаётся радиочастотная энергия. В "
        "ответ кожа вырабатывает новый коллаген и эластин, которые постепенно выравнивают "
        "округлые и прямоугольные рубцы, как неглубокие, так и глубокие. Курс — 3–6 "
        "процедур с интервалом 4–6 недель."
    ),
}
MICRONEEDLING_SECOND = {
    "name_en": "Microneedling (mechanical)",
    "name_ru": "Микронидлинг (механический)",
    "description_en": (
        "A device with very fine needles makes thousands of tiny punctures in the skin. The "
        "skin answers by producing new collagen and elastin, which gradually lifts rolling "
        "and boxcar scars, shallow and deep. A course is 3 to 6 sessions 4 to 6 weeks apart."
    ),
    "description_ru": (
        "Аппарат с тончайшими иглами делает в коже тысячи микропроколов. В ответ кожа "
        "вырабатывает новый коллаген и эластин, которые постепенно выравнивают округлые и "
        "прямоугольные рубцы, как неглубокие, так и глубокие. Курс — 3–6 процедур с "
        "интервалом 4–6 недель."
    ),
}


def _history(apps, model_name, instance, now, kind):
    """Write the historical row simple-history would have written for this change."""
    Historical = apps.get_model("procedures", f"Historical{model_name}")
    values = {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }
    Historical.objects.create(
        **values,
        history_date=now,
        history_type=kind,
        history_change_reason=REASON,
        history_user=None,
    )


def _create_procedure(apps, entry, display_order, now):
    Procedure = apps.get_model("procedures", "Procedure")
    ProcedureRule = apps.get_model("procedures", "ProcedureRule")
    texts = {}
    for name in TRANSLATED:
        english = getattr(entry, f"{name}_en")
        texts[name] = english  # the untranslated column mirrors the default language
        texts[f"{name}_en"] = english
        texts[f"{name}_ru"] = getattr(entry, f"{name}_ru")
    procedure = Procedure.objects.create(
        slug=entry.slug,
        category=entry.category,
        indicated_scar_types=list(entry.indicated_scar_types),
        sessions_min=entry.sessions_min,
        sessions_max=entry.sessions_max,
        interval_min_days=entry.interval_min_days,
        interval_max_days=entry.interval_max_days,
        booked_minutes=entry.booked_minutes,
        buffer_minutes=entry.buffer_minutes,
        room_kind=entry.room_kind,
        roles=list(entry.roles),
        price_from=entry.price_from,
        repeatable=entry.repeatable,
        recall_after_days=entry.recall_after_days,
        is_active=True,
        display_order=display_order,
        **texts,
    )
    _history(apps, "Procedure", procedure, now, "+")
    for severity, codes in (("absolute", entry.absolute_rules), ("relative", entry.relative_rules)):
        for code in codes:
            rule = ProcedureRule.objects.create(
                procedure=procedure,
                code=code,
                severity=severity,
                window_days=(
                    entry.retinoid_window_days if code == "PRECARE_TOPICAL_RETINOID" else None
                ),
            )
            _history(apps, "ProcedureRule", rule, now, "+")


def _set_texts(apps, slug, old, new, now):
    Procedure = apps.get_model("procedures", "Procedure")
    procedure = Procedure.objects.filter(slug=slug).first()
    if procedure is None:
        return
    changed = False
    for column, value in new.items():
        if getattr(procedure, column) == old[column]:
            setattr(procedure, column, value)
            if column.endswith("_en"):
                setattr(procedure, column[:-3], value)
            changed = True
    if changed:
        procedure.save()
        _history(apps, "Procedure", procedure, now, "~")


def _correct(apps, now, *, forwards):
    ProcedureRule = apps.get_model("procedures", "ProcedureRule")
    Procedure = apps.get_model("procedures", "Procedure")
    for slug, code, first, second in CORRECTIONS:
        before, after = (first, second) if forwards else (second, first)
        procedure = Procedure.objects.filter(slug=slug).first()
        if procedure is None:
            continue
        rule = ProcedureRule.objects.filter(procedure=procedure, code=code).first()
        if (rule.severity if rule else None) != before:
            continue  # a clinician changed it: theirs stands
        if after is None:
            _history(apps, "ProcedureRule", rule, now, "-")
            rule.delete()
        elif rule is None:
            rule = ProcedureRule.objects.create(procedure=procedure, code=code, severity=after)
            _history(apps, "ProcedureRule", rule, now, "+")
        else:
            rule.severity = after
            rule.save()
            _history(apps, "ProcedureRule", rule, now, "~")


def forwards(apps, schema_editor):
    from procedures.catalogue_data import CATALOGUE_BY_SLUG

    Procedure = apps.get_model("procedures", "Procedure")
    now = timezone.now()
    for slug, after in NEW:
        if Procedure.objects.filter(slug=slug).exists():
            continue
        sibling = Procedure.objects.filter(slug=after).values_list("display_order", flat=True)
        order = sibling.first()
        if order is None:
            order = (max(Procedure.objects.values_list("display_order", flat=True), default=0)) + 10
        _create_procedure(apps, CATALOGUE_BY_SLUG[slug], order + 5, now)
    _set_texts(apps, "microneedling", MICRONEEDLING_FIRST, MICRONEEDLING_SECOND, now)
    _correct(apps, now, forwards=True)


def backwards(apps, schema_editor):
    Procedure = apps.get_model("procedures", "Procedure")
    now = timezone.now()
    _correct(apps, now, forwards=False)
    _set_texts(apps, "microneedling", MICRONEEDLING_SECOND, MICRONEEDLING_FIRST, now)
    for slug, _after in NEW:
        for procedure in Procedure.objects.filter(slug=slug):
            _history(apps, "Procedure", procedure, now, "-")
            procedure.delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0004_washouts_and_prerequisites")]

    operations = [migrations.RunPython(forwards, backwards)]
