"""Chart parameters for the two procedures of rules-v2.md (issue #17).

`rf-microneedling` and `hyaluronic-filler-touch-up` arrive with the catalogue's second
edition (procedures 0005); `0010_parameter_schemas_for_the_catalogue` filled the others.
RF microneedling records its device, and per zone the needle depth, the energy level
and the pulses; the touch-up is charted as the filler it completes. Ranges are the
clinic's starting *policy*, edited later in the admin; a procedure that already has a
schema is left as it is. The data is written here on purpose (never an import of
another migration's).
"""

from django.db import migrations

Z, S = "zone", "session"


def num(key, en, ru, unit, low, high, *, scope=Z, places=0, required=True):
    return {
        "key": key,
        "label_en": en,
        "label_ru": ru,
        "kind": "number",
        "scope": scope,
        "unit": unit,
        "minimum": low,
        "maximum": high,
        "decimal_places": places,
        "required": required,
    }


def choice(key, en, ru, options, *, scope=S, required=True):
    return {
        "key": key,
        "label_en": en,
        "label_ru": ru,
        "kind": "choice",
        "scope": scope,
        "choices": [{"value": v, "en": e, "ru": r} for v, e, r in options],
        "required": required,
    }


def yes_no(key, en, ru, *, scope=S, required=True):
    return {
        "key": key,
        "label_en": en,
        "label_ru": ru,
        "kind": "boolean",
        "scope": scope,
        "required": required,
    }


def text(key, en, ru, *, scope=S, required=False):
    return {
        "key": key,
        "label_en": en,
        "label_ru": ru,
        "kind": "text",
        "scope": scope,
        "required": required,
    }


NEEDLE_OR_CANNULA = choice(
    "technique",
    "Needle or cannula",
    "Игла или канюля",
    [("needle", "Needle", "Игла"), ("cannula", "Cannula", "Канюля")],
    scope=Z,
)
FILLER_DEPTH = choice(
    "depth",
    "Depth",
    "Глубина",
    [
        ("intradermal", "Intradermal", "Внутридермально"),
        ("subdermal", "Subdermal", "Субдермально"),
        ("supraperiosteal", "Supraperiosteal", "Супрапериостально"),
    ],
    scope=Z,
)
FROSTING = choice(
    "frosting",
    "Frosting reached",
    "Достигнутый фрост",
    [
        ("1", "Level I", "Уровень I"),
        ("2", "Level II", "Уровень II"),
        ("3", "Level III", "Уровень III"),
    ],
    scope=Z,
)
PASSES = num("passes", "Passes", "Проходы", "passes", 1, 4)
LASER_MODE = choice(
    "mode",
    "Mode",
    "Режим",
    [
        ("single", "Single pulse", "Одиночный импульс"),
        ("repeat", "Repeat", "Повторный"),
        ("scanner", "Scanner", "Сканер"),
    ],
)


def laser(devices, energy, density, spot):
    return [
        choice("device", "Device", "Аппарат", devices),
        LASER_MODE,
        num("spot_size_mm", "Spot size", "Размер пятна", "mm", *spot, scope=S, places=1),
        num("energy_mj", "Energy", "Энергия", "mJ", *energy, places=1),
        num("density_percent", "Density", "Плотность", "%", *density),
        PASSES,
    ]


def peel(agent_options, concentration, layers, contact, *, neutralised):
    fields = [
        choice("agent", "Agent", "Агент", agent_options),
        num("concentration_percent", "Concentration", "Концентрация", "%", *concentration, scope=S),
        num("layers", "Layers", "Слои", "layers", *layers),
        num(
            "contact_time_min",
            "Contact time",
            "Время экспозиции",
            "min",
            *contact,
            scope=S,
            places=1,
        ),
    ]
    if neutralised:
        fields.append(yes_no("neutralised", "Neutralised", "Нейтрализован"))
    return fields


SCHEMAS = {
    "rf-microneedling": [
        text("device", "Device", "Аппарат", required=True),
        num("depth_mm", "Needle depth", "Глубина игл", "mm", 0.5, 4, places=1),
        num("energy_level", "Energy level", "Уровень энергии", "level", 1, 10, places=1),
        num("pulses", "Pulses", "Импульсы", "pulses", 1, 5),
    ],
    "hyaluronic-filler": [
        num("volume_ml", "Volume", "Объём", "ml", 0.05, 2, places=2),
        NEEDLE_OR_CANNULA,
        num(
            "gauge",
            "Needle or cannula gauge",
            "Калибр иглы или канюли",
            "G",
            18,
            32,
            required=False,
        ),
        FILLER_DEPTH,
    ],
}
SCHEMAS["hyaluronic-filler-touch-up"] = SCHEMAS.pop("hyaluronic-filler")


def fill_schemas(apps, schema_editor, schemas=None):
    Procedure = apps.get_model("procedures", "Procedure")
    ParameterSchema = apps.get_model("patients", "ParameterSchema")
    ParameterDefinition = apps.get_model("patients", "ParameterDefinition")
    schemas = SCHEMAS if schemas is None else schemas
    for procedure in Procedure.objects.filter(slug__in=list(schemas)):
        if ParameterSchema.objects.filter(procedure=procedure).exists():
            continue
        schema = ParameterSchema.objects.create(procedure=procedure)
        for position, field in enumerate(schemas[procedure.slug], start=1):
            ParameterDefinition.objects.create(
                schema=schema,
                key=field["key"],
                label_en=field["label_en"],
                label_ru=field["label_ru"],
                kind=field["kind"],
                scope=field["scope"],
                unit=field.get("unit", ""),
                minimum=field.get("minimum"),
                maximum=field.get("maximum"),
                decimal_places=field.get("decimal_places", 0),
                choices=field.get("choices", []),
                required=field["required"],
                position=position,
            )


def remove_schemas(apps, schema_editor):
    ParameterSchema = apps.get_model("patients", "ParameterSchema")
    ParameterDefinition = apps.get_model("patients", "ParameterDefinition")
    ParameterDefinition.objects.filter(schema__procedure__slug__in=list(SCHEMAS)).delete()
    ParameterSchema.objects.filter(procedure__slug__in=list(SCHEMAS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0012_record_audit_actions_and_messages"),
        ("procedures", "0005_catalogue_second_edition"),
    ]

    operations = [migrations.RunPython(fill_schemas, remove_schemas)]
