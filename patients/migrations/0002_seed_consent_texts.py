"""Publish version 1 of every consent text: data processing (152-FZ) and one per
procedure category. Facts from the clinic's domain reference (the seed article).

The hash is computed here with the same canonical form as
`patients.models.consent.consent_text_digest`, copied so this migration never
changes meaning when the app code does.
"""

import hashlib

from django.db import migrations
from django.utils import timezone

COMMON_EN = (
    "I have told the clinic the truth about my health in the questionnaire and will tell "
    "the practitioner about any change before the procedure. I know the result differs "
    "from person to person and is not guaranteed, that scars rarely disappear completely, "
    "and that several sessions may be needed. I may ask questions at any time and may "
    "withdraw this consent before the procedure starts."
)
COMMON_RU = (
    "Я правдиво рассказал(а) клинике о своём здоровье в анкете и сообщу специалисту о любых "
    "изменениях до процедуры. Я знаю, что результат у всех разный и не гарантирован, что "
    "рубцы редко исчезают полностью и что может понадобиться несколько сеансов. Я могу "
    "задавать вопросы в любой момент и отозвать это согласие до начала процедуры."
)

TEXTS = [
    (
        "data_processing",
        "Consent to the processing of personal and health data",
        "Согласие на обработку персональных данных и данных о здоровье",
        "Under Federal Law No. 152-FZ \"On Personal Data\" I consent to the clinic processing "
        "my personal data (name, date of birth, e-mail address, phone number) and data about my "
        "health (questionnaire answers, photos of my skin, records of procedures) in order to "
        "book and provide medical and cosmetic services, keep medical records, and contact me "
        "about my appointments. The data is stored in the Russian Federation, is seen only by "
        "clinic staff who need it for my care, and is not passed to third parties except where "
        "the law requires it. Processing includes collection, recording, storage, use and "
        "deletion. This consent is valid until I withdraw it; I may withdraw it in writing or "
        "through my account (a request for erasure). Medical records the law requires the "
        "clinic to keep are kept for the period the law sets, even after withdrawal.",
        "В соответствии с Федеральным законом № 152-ФЗ «О персональных данных» я даю согласие "
        "клинике на обработку моих персональных данных (ФИО, дата рождения, адрес электронной "
        "почты, номер телефона) и данных о моём здоровье (ответы анкеты, фотографии кожи, записи "
        "о процедурах) для записи на приём и оказания медицинских и косметологических услуг, "
        "ведения медицинской документации и связи со мной по поводу моих визитов. Данные "
        "хранятся на территории Российской Федерации, доступны только сотрудникам клиники, "
        "которым они нужны для моего лечения, и не передаются третьим лицам, кроме случаев, "
        "предусмотренных законом. Обработка включает сбор, запись, хранение, использование и "
        "удаление. Согласие действует до его отзыва; отозвать его можно письменно или через "
        "личный кабинет (запрос на удаление данных). Медицинская документация, которую клиника "
        "обязана хранить по закону, хранится установленный законом срок и после отзыва.",
    ),
    (
        "consultation",
        "Consent to a consultation and skin examination",
        "Согласие на консультацию и осмотр кожи",
        "I agree to a consultation with a dermatologist or cosmetologist: questions about my "
        "health, an examination of the skin of my face, and photographs of the areas to treat "
        "for my medical record. The practitioner assesses my scars and suggests a treatment "
        "plan; laser treatments need this full examination first.",
        "Я согласен(на) на консультацию дерматолога или косметолога: вопросы о здоровье, осмотр "
        "кожи лица и фотографирование зон для лечения для медицинской карты. Специалист оценит "
        "рубцы и предложит план лечения; лазерные процедуры возможны только после такого "
        "полного осмотра.",
    ),
    (
        "laser",
        "Consent to laser resurfacing",
        "Согласие на лазерную шлифовку",
        "Laser resurfacing removes or heats thin layers of skin so that new, smoother skin "
        "forms. Expected effects: redness, swelling and crusts; recovery takes about two weeks "
        "after full ablative resurfacing and several days after fractional treatment. Possible "
        "risks: burns, infection, herpes flare-up, lasting dark or light patches, especially on "
        "darker or tanned skin, and rarely new scars. A course may take up to five sessions "
        "about three months apart. Afterwards I must avoid the sun and use SPF 30 or higher.",
        "Лазерная шлифовка удаляет или прогревает тонкие слои кожи, чтобы образовалась новая, "
        "более ровная кожа. Ожидаемые явления: покраснение, отёк и корочки; восстановление "
        "занимает около двух недель после полной абляционной шлифовки и несколько дней после "
        "фракционной. Возможные риски: ожоги, инфекция, обострение герпеса, стойкие тёмные или "
        "светлые пятна (особенно на смуглой или загорелой коже), редко — новые рубцы. Курс может "
        "включать до пяти процедур с интервалом около трёх месяцев. После процедуры нужно "
        "избегать солнца и пользоваться кремом SPF 30 и выше.",
    ),
    (
        "resurfacing",
        "Consent to mechanical skin resurfacing",
        "Согласие на механическую шлифовку кожи",
        "Dermabrasion and microdermabrasion remove the upper layers of the skin mechanically. "
        "Dermabrasion is done under local anaesthesia and needs about ten days to heal; "
        "microdermabrasion is gentler and a course is about ten sessions, with a visible effect "
        "after about seven. Possible effects and risks: redness, tenderness, swelling, "
        "infection, changes in skin colour. For two weeks before I must not use retinoid, "
        "glycolic or salicylic acid products.",
        "Дермабразия и микродермабразия механически снимают верхние слои кожи. Дермабразию "
        "проводят под местной анестезией, заживление занимает около десяти дней; "
        "микродермабразия мягче, курс — около десяти процедур, заметный эффект — примерно после "
        "седьмой. Возможные явления и риски: покраснение, болезненность, отёк, инфекция, "
        "изменение цвета кожи. За две недели до процедуры нельзя пользоваться средствами с "
        "ретиноидами, гликолевой или салициловой кислотой.",
    ),
    (
        "peel",
        "Consent to a chemical peel",
        "Согласие на химический пилинг",
        "A chemical peel applies an acid (glycolic, salicylic, trichloroacetic or phenol) that "
        "removes layers of skin so it renews. Superficial peels are repeated about every two "
        "weeks; redness and flaking can last more than a day. Deeper peels need about a week or "
        "longer to heal; a phenol peel is done with heart monitoring. Possible risks: burning, "
        "lasting redness, dark or light patches, herpes flare-up, infection, rarely scars. "
        "During the course I must protect my skin from the sun.",
        "Химический пилинг — нанесение кислоты (гликолевой, салициловой, трихлоруксусной или "
        "фенола), которая снимает слои кожи и запускает её обновление. Поверхностные пилинги "
        "повторяют примерно раз в две недели; покраснение и шелушение могут длиться больше "
        "суток. Более глубокие пилинги заживают около недели и дольше; феноловый пилинг "
        "проводится под контролем работы сердца. Возможные риски: жжение, стойкое покраснение, "
        "тёмные или светлые пятна, обострение герпеса, инфекция, редко — рубцы. Во время курса "
        "нужно защищать кожу от солнца.",
    ),
    (
        "filler",
        "Consent to filler injections",
        "Согласие на введение филлеров",
        "A filler (hyaluronic acid, collagen or my own fat) is injected under a scar to raise "
        "it. The effect is temporary: hyaluronic filler is repeated no more often than every "
        "six months, and the effect of fat transfer lasts up to about a year and a half. "
        "Collagen needs a skin test on the forearm, read about four weeks before treatment. "
        "Possible effects and risks: swelling and bruising for several days, lumps, allergic "
        "reaction, infection and, rarely, blockage of a blood vessel.",
        "Филлер (гиалуроновая кислота, коллаген или собственный жир) вводят под рубец, чтобы "
        "приподнять его. Эффект временный: гиалуроновый филлер вводят не чаще одного раза в "
        "шесть месяцев, эффект липофилинга сохраняется примерно до полутора лет. Для коллагена "
        "нужна кожная проба на предплечье, которую оценивают примерно за четыре недели до "
        "процедуры. Возможные явления и риски: отёк и синяки в течение нескольких дней, "
        "уплотнения, аллергическая реакция, инфекция, редко — закупорка сосуда.",
    ),
    (
        "surgery",
        "Consent to minor scar surgery",
        "Согласие на малую хирургию рубцов",
        "Punch excision cuts out a deep scar and closes the skin with a fine stitch or a small "
        "graft; subcision frees the skin from the bands that pull a scar down, with a needle "
        "under local anaesthesia. Possible effects and risks: bruising for about a week, "
        "swelling, bleeding, infection, a new fine scar, reaction to the anaesthetic. Stitches "
        "are removed after about seven days.",
        "Панч-эксцизия иссекает глубокий рубец и закрывает кожу тонким швом или небольшим "
        "трансплантатом; субцизия иглой под местной анестезией освобождает кожу от тяжей, "
        "которые втягивают рубец. Возможные явления и риски: синяки около недели, отёк, "
        "кровотечение, инфекция, новый тонкий рубец, реакция на анестетик. Швы снимают примерно "
        "через семь дней.",
    ),
    (
        "collagen_induction",
        "Consent to microneedling",
        "Согласие на микронидлинг",
        "Microneedling (with or without radio frequency) makes many tiny punctures that make "
        "the skin produce new collagen. A course is usually three to six sessions four to six "
        "weeks apart. Possible effects and risks: redness for two or three days, pinpoint "
        "bleeding, swelling, infection, dark patches. For seven to ten days afterwards I must "
        "use SPF 50 or higher.",
        "Микронидлинг (в том числе с радиочастотой) — множество мелких проколов, которые "
        "заставляют кожу вырабатывать новый коллаген. Курс обычно от трёх до шести процедур с "
        "интервалом четыре–шесть недель. Возможные явления и риски: покраснение на два–три дня, "
        "точечные кровоизлияния, отёк, инфекция, тёмные пятна. В течение семи–десяти дней после "
        "процедуры нужно пользоваться кремом SPF 50 и выше.",
    ),
    (
        "injection",
        "Consent to injection therapies",
        "Согласие на инъекционные методики",
        "Mesotherapy, ozone therapy and oxygen injections put small amounts of a substance into "
        "the skin with fine needles. A course is usually two to eight sessions two to three "
        "weeks apart. Possible effects and risks: swelling (sometimes long), bruising, pain, "
        "allergic reaction, infection. Ozone therapy is not done during menstruation, and "
        "during its course I must avoid the sauna, steam room and solarium.",
        "Мезотерапия, озонотерапия и кислородные инъекции — введение небольшого количества "
        "вещества в кожу тонкими иглами. Курс обычно от двух до восьми процедур с интервалом "
        "две–три недели. Возможные явления и риски: отёк (иногда длительный), синяки, "
        "болезненность, аллергическая реакция, инфекция. Озонотерапию не проводят во время "
        "менструации, а во время её курса нужно избегать сауны, парной и солярия.",
    ),
    (
        "light",
        "Consent to light therapy",
        "Согласие на светотерапию",
        "Phototherapy (light or IPL) treats the skin with flashes of light; it also calms "
        "inflammation before laser or mechanical treatment. A course is usually two to eight "
        "sessions two to three weeks apart. Possible effects and risks: redness, a feeling of "
        "heat, burns and colour changes, especially on tanned skin or with medicines that make "
        "the skin sensitive to light.",
        "Фототерапия (свет или IPL) — воздействие на кожу вспышками света; она также снимает "
        "воспаление перед лазерными или механическими процедурами. Курс обычно от двух до "
        "восьми процедур с интервалом две–три недели. Возможные явления и риски: покраснение, "
        "ощущение тепла, ожоги и изменение цвета кожи, особенно на загорелой коже или при приёме "
        "лекарств, повышающих чувствительность к свету.",
    ),
    (
        "hardware",
        "Consent to hardware cosmetology",
        "Согласие на аппаратную косметологию",
        "Vacuum cleaning, microcurrent therapy and ultrasonic peeling use devices on the skin "
        "surface. A course is usually two to eight sessions two to three weeks apart; redness "
        "after ultrasonic peeling lasts up to two hours. Possible effects and risks: redness, "
        "small bruises after vacuum cleaning, tingling during microcurrent therapy. Electrical "
        "devices are not used with a pacemaker or other implanted electronic device.",
        "Вакуумная чистка, микротоковая терапия и ультразвуковой пилинг проводятся аппаратами "
        "на поверхности кожи. Курс обычно от двух до восьми процедур с интервалом две–три "
        "недели; покраснение после ультразвукового пилинга проходит в течение двух часов. "
        "Возможные явления и риски: покраснение, мелкие синяки после вакуумной чистки, "
        "покалывание при микротоках. Электрические аппараты не применяют при кардиостимуляторе "
        "или другом вживлённом электронном устройстве.",
    ),
    (
        "cryo",
        "Consent to cryo-massage",
        "Согласие на криомассаж",
        "Cryo-massage treats the skin with liquid nitrogen, only in the clinic after an "
        "examination, never at home. It is not done on dry skin; for combination skin the "
        "specialist decides. Possible effects and risks: redness, tingling, blisters and "
        "frost injury of the skin, reactions in people who do not tolerate cold.",
        "Криомассаж — воздействие на кожу жидким азотом, только в клинике после осмотра и "
        "никогда дома. Его не проводят на сухой коже; при комбинированной коже решение "
        "принимает специалист. Возможные явления и риски: покраснение, покалывание, пузыри и "
        "холодовая травма кожи, реакции у людей с непереносимостью холода.",
    ),
]


def digest(kind, version, title_en, title_ru, body_en, body_ru):
    canonical = "\n\x1e\n".join([kind, str(version), title_en, body_en, title_ru, body_ru])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seed(apps, schema_editor):
    ConsentText = apps.get_model("patients", "ConsentText")
    now = timezone.now()
    for kind, title_en, title_ru, body_en, body_ru in TEXTS:
        if ConsentText.objects.filter(kind=kind).exists():
            continue
        if kind != "data_processing":
            body_en = f"{body_en}\n\n{COMMON_EN}"
            body_ru = f"{body_ru}\n\n{COMMON_RU}"
        ConsentText.objects.create(
            kind=kind,
            version=1,
            title_en=title_en,
            title_ru=title_ru,
            body_en=body_en,
            body_ru=body_ru,
            sha256=digest(kind, 1, title_en, title_ru, body_en, body_ru),
            published_at=now,
        )


def unseed(apps, schema_editor):
    ConsentText = apps.get_model("patients", "ConsentText")
    # Raw queryset delete: the model's delete() guard is not on historical models.
    ConsentText.objects.filter(version=1, signatures__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_patients_intake_consent_photos_audit")]

    operations = [migrations.RunPython(seed, unseed)]
