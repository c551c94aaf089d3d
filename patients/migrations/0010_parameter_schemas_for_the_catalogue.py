"""Give every procedure of the catalogue its chart parameters (issue #17).

What a practitioner records for each procedure, as data managers edit later in the
admin: names in English and Russian, kind, unit, usual range (a value outside it
needs a reason), decimals, required or not, and whether it is recorded for each zone
of the face map or once for the session. The ranges are the clinic's starting
*policy*, from the devices' and products' usual settings; a procedure that already
has a schema is left as it is, and a slug that does not exist is skipped (the two
procedures of rules-v2.md get theirs in a later migration, after the catalogue
migration that adds them).

The data is written into this file on purpose: a later edit of the schemas is a new
migration or an admin edit, never a change of this history.
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
    "consultation": [
        text("assessment", "Assessment of the scars", "Оценка рубцов", required=True),
        text("plan", "Treatment plan", "План лечения", required=True),
    ],
    "laser-resurfacing": laser(
        [("co2", "CO2", "CO2"), ("er_yag", "Er:YAG", "Er:YAG")], (10, 300), (50, 100), (0.1, 10)
    ),
    "fractional-laser": laser(
        [
            ("co2_fractional", "Fractional CO2", "Фракционный CO2"),
            ("er_yag_fractional", "Fractional Er:YAG", "Фракционный Er:YAG"),
            ("erbium_glass_1550", "Erbium glass 1550 nm", "Эрбиевое стекло 1550 нм"),
            ("thulium_1927", "Thulium 1927 nm", "Тулиевый 1927 нм"),
        ],
        (5, 100),
        (5, 40),
        (0.1, 10),
    ),
    "dermabrasion": [
        choice(
            "instrument",
            "Instrument",
            "Инструмент",
            [
                ("diamond_fraise", "Diamond fraise", "Алмазная фреза"),
                ("wire_brush", "Wire brush", "Проволочная щётка"),
                ("serrated_wheel", "Serrated wheel", "Зубчатое колесо"),
            ],
        ),
        choice(
            "endpoint",
            "Depth reached",
            "Достигнутая глубина",
            [
                ("papillary", "Papillary dermis", "Сосочковый слой дермы"),
                ("upper_reticular", "Upper reticular dermis", "Верхний сетчатый слой дермы"),
            ],
            scope=Z,
        ),
        PASSES,
    ],
    "microdermabrasion": [
        choice(
            "method",
            "Method",
            "Метод",
            [("crystal", "Crystal", "Кристаллическая"), ("diamond", "Diamond", "Алмазная")],
        ),
        num("vacuum_kpa", "Vacuum", "Вакуум", "kPa", 10, 60, scope=S),
        PASSES,
    ],
    "glycolic-peel": peel(
        [("glycolic", "Glycolic acid", "Гликолевая кислота")],
        (20, 70),
        (1, 3),
        (1, 10),
        neutralised=True,
    ),
    "salicylic-peel": peel(
        [("salicylic", "Salicylic acid", "Салициловая кислота")],
        (15, 30),
        (1, 3),
        (2, 5),
        neutralised=False,
    ),
    "tca-peel": [
        *peel(
            [("tca", "Trichloroacetic acid", "Трихлоруксусная кислота")],
            (15, 35),
            (1, 4),
            (1, 10),
            neutralised=False,
        ),
        FROSTING,
    ],
    "phenol-peel": [
        choice(
            "formula",
            "Formula",
            "Формула",
            [
                ("baker_gordon", "Baker-Gordon", "Бейкер-Гордон"),
                ("hetter", "Hetter", "Хеттер"),
            ],
        ),
        num(
            "concentration_percent",
            "Phenol concentration",
            "Концентрация фенола",
            "%",
            35,
            88,
            scope=S,
        ),
        yes_no("occlusion", "Occlusion", "Окклюзия"),
        yes_no("cardiac_monitoring", "Cardiac monitoring", "Кардиомониторинг"),
        num(
            "interval_between_units_min",
            "Minutes between units",
            "Интервал между зонами",
            "min",
            10,
            20,
            scope=S,
        ),
    ],
    "tca-cross": [
        num("concentration_percent", "Concentration", "Концентрация", "%", 50, 100, scope=S),
        choice(
            "applicator",
            "Applicator",
            "Аппликатор",
            [
                ("toothpick", "Wooden applicator", "Деревянный аппликатор"),
                ("needle", "Needle", "Игла"),
                ("fine_brush", "Fine brush", "Тонкая кисть"),
            ],
        ),
        num("scars_treated", "Scars treated", "Обработано рубцов", "count", 1, 100),
        FROSTING,
    ],
    "collagen-injection": [
        yes_no("skin_test_read", "Skin test read negative", "Кожная проба отрицательная"),
        num("volume_ml", "Volume", "Объём", "ml", 0.05, 2, places=2),
        NEEDLE_OR_CANNULA,
        FILLER_DEPTH,
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
    "fat-transfer": [
        choice(
            "harvest_site",
            "Harvest site",
            "Донорская зона",
            [
                ("abdomen", "Abdomen", "Живот"),
                ("thigh", "Thigh", "Бедро"),
                ("flank", "Flank", "Бока"),
            ],
        ),
        num("harvested_ml", "Fat harvested", "Забрано жира", "ml", 5, 200, scope=S, places=1),
        choice(
            "processing",
            "Processing",
            "Обработка",
            [
                ("centrifuge", "Centrifuge", "Центрифугирование"),
                ("decant", "Decantation", "Декантация"),
                ("filtration", "Filtration", "Фильтрация"),
            ],
        ),
        num("volume_ml", "Volume injected", "Введённый объём", "ml", 0.1, 20, places=1),
        num("gauge", "Cannula gauge", "Калибр канюли", "G", 14, 25, required=False),
    ],
    "punch-excision": [
        num("count", "Scars excised", "Иссечено рубцов", "count", 1, 30),
        num("punch_size_mm", "Punch size", "Диаметр панча", "mm", 1, 4, places=1),
        choice(
            "closure",
            "Closure",
            "Закрытие",
            [
                ("suture", "Suture", "Шов"),
                ("graft", "Punch graft", "Панч-трансплантат"),
                ("secondary", "Secondary intention", "Вторичное натяжение"),
            ],
            scope=Z,
        ),
    ],
    "subcision": [
        choice(
            "instrument",
            "Instrument",
            "Инструмент",
            [
                ("nokor_18g", "Nokor needle 18G", "Игла Нокор 18G"),
                ("hypodermic_needle", "Hypodermic needle", "Инъекционная игла"),
                ("blunt_cannula", "Blunt cannula", "Тупая канюля"),
            ],
        ),
        num(
            "scars_released",
            "Scars released",
            "Освобождено рубцов",
            "count",
            1,
            100,
            required=False,
        ),
    ],
    "microneedling": [
        choice(
            "device",
            "Device",
            "Аппарат",
            [
                ("pen", "Microneedling pen", "Дермапен"),
                ("roller", "Roller", "Роллер"),
                ("stamp", "Stamp", "Штамп"),
            ],
        ),
        num("depth_mm", "Needle depth", "Глубина игл", "mm", 0.25, 3, places=2),
        num("passes", "Passes", "Проходы", "passes", 1, 8),
    ],
    "rf-microneedling": [
        text("device", "Device", "Аппарат", required=True),
        num("depth_mm", "Needle depth", "Глубина игл", "mm", 0.5, 4, places=1),
        num("energy_level", "Energy level", "Уровень энергии", "level", 1, 10, places=1),
        num("pulses", "Pulses", "Импульсы", "pulses", 1, 5),
    ],
    "mesotherapy": [
        text("product", "Cocktail", "Коктейль", required=True),
        num("volume_ml", "Volume", "Объём", "ml", 0.1, 5, places=1),
        choice(
            "technique",
            "Technique",
            "Техника",
            [
                ("papular", "Papular", "Папульная"),
                ("nappage", "Nappage", "Наппаж"),
                ("microbolus", "Microbolus", "Микроболюсная"),
            ],
            scope=Z,
        ),
        num("depth_mm", "Depth", "Глубина", "mm", 0.5, 4, places=1, required=False),
    ],
    "ozone-therapy": [
        num(
            "concentration_ug_ml",
            "Ozone concentration",
            "Концентрация озона",
            "ug/ml",
            5,
            20,
            scope=S,
            places=1,
        ),
        num("volume_ml", "Volume", "Объём", "ml", 1, 20, places=1),
    ],
    "phototherapy": [
        text("device", "Device", "Аппарат", required=True),
        num(
            "wavelength_nm",
            "Wavelength or filter",
            "Длина волны или фильтр",
            "nm",
            400,
            1200,
            scope=S,
        ),
        num("pulse_ms", "Pulse duration", "Длительность импульса", "ms", 1, 100, scope=S, places=1),
        num("fluence_j_cm2", "Fluence", "Плотность энергии", "J/cm2", 5, 40, places=1),
        PASSES,
    ],
    "vacuum-cleaning": [
        num("vacuum_percent", "Vacuum level", "Уровень вакуума", "%", 10, 100, scope=S),
        num("duration_min", "Duration", "Длительность", "min", 5, 40, scope=S),
        PASSES,
    ],
    "microcurrent": [
        num("current_ua", "Current", "Сила тока", "uA", 10, 600, scope=S),
        num("frequency_hz", "Frequency", "Частота", "Hz", 0.5, 300, scope=S, places=1),
        num("duration_min", "Duration", "Длительность", "min", 5, 60, scope=S),
    ],
    "ultrasonic-peeling": [
        choice(
            "mode",
            "Mode",
            "Режим",
            [
                ("peeling", "Peeling", "Пилинг"),
                ("phonophoresis", "Phonophoresis", "Фонофорез"),
                ("lifting", "Lifting", "Лифтинг"),
            ],
        ),
        num("frequency_khz", "Frequency", "Частота", "kHz", 20, 30, scope=S, places=1),
        num("duration_min", "Duration", "Длительность", "min", 5, 40, scope=S),
    ],
    "oxygen-injections": [
        text("product", "Solution", "Раствор", required=False),
        num("volume_ml", "Gas volume", "Объём газа", "ml", 5, 100),
    ],
    "cryo-massage": [
        choice(
            "technique",
            "Technique",
            "Техника",
            [
                ("tangential", "Tangential", "Касательная"),
                ("point", "Point", "Точечная"),
            ],
        ),
        num("exposure_s", "Exposure", "Экспозиция", "s", 5, 30),
    ],
}
# rules-v2.md: the touch-up is charted as the filler it completes.
SCHEMAS["hyaluronic-filler-touch-up"] = SCHEMAS["hyaluronic-filler"]


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
        ("patients", "0009_treatment_record"),
        ("procedures", "0002_load_catalogue"),
    ]

    operations = [migrations.RunPython(fill_schemas, remove_schemas)]
