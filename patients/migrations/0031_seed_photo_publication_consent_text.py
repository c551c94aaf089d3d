"""Publish version 1 of the consent to publish a photo (152-FZ art. 10.1, GDPR art. 9).

The hash is computed here with the same canonical form as
`patients.models.consent.consent_text_digest`, copied so this migration never
changes meaning when the app code does.
"""

import hashlib

from django.db import migrations
from django.utils import timezone

KIND = "photo_publication"
TITLE_EN = "Consent to publish a photo"
TITLE_RU = "Согласие на публикацию фотографии"
BODY_EN = (
    "I allow the clinic to show this photo of my skin to the public, as part of a before "
    "and after comparison on the clinic's website, next to the description of the procedure "
    "I had. This is a separate consent to make my personal data public (Federal Law No. "
    '152-FZ "On Personal Data", article 10.1); it is given for this one photo only and '
    "does not change my consent to the processing of my data for my treatment.\n\n"
    "The clinic shows only the part of the photo it chooses, cut so that my face cannot be "
    "recognised where possible, without my name or any other details about me, and without "
    "the data in the picture file (such as the place and time it was taken). The photo is not "
    "passed to anyone else for any other use.\n\n"
    'I may withdraw this consent at any time on the "Photos" page of my account, without '
    "giving a reason. The photo is then removed from the clinic's website at once. Copies "
    "that others may have made while it was shown are beyond the clinic's control. "
    "Withdrawing does not affect my treatment in any way."
)
BODY_RU = (
    "Я разрешаю клинике показывать эту фотографию моей кожи неограниченному кругу лиц в "
    "сравнении «до и после» на сайте клиники, рядом с описанием процедуры, которую я прошёл "
    "(прошла). Это отдельное согласие на обработку персональных данных, разрешённых мной для "
    "распространения (статья 10.1 Федерального закона № 152-ФЗ «О персональных данных»); оно "
    "даётся только для этой фотографии и не меняет моего согласия на обработку данных для "
    "лечения.\n\n"
    "Клиника показывает только выбранную ею часть фотографии, по возможности обрезанную так, "
    "чтобы меня нельзя было узнать по лицу, без моего имени и других сведений обо мне и без "
    "данных файла (например, места и времени съёмки). Фотография не передаётся никому для "
    "иного использования.\n\n"
    "Я могу отозвать это согласие в любой момент на странице «Фотографии» в личном кабинете, "
    "без объяснения причин. Фотография сразу же удаляется с сайта клиники. Копии, которые "
    "другие могли сделать, пока она была опубликована, клиника контролировать не может. Отзыв "
    "согласия никак не влияет на моё лечение."
)


def digest(kind, version, title_en, title_ru, body_en, body_ru):
    canonical = "\n\x1e\n".join([kind, str(version), title_en, body_en, title_ru, body_ru])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seed(apps, schema_editor):
    ConsentText = apps.get_model("patients", "ConsentText")
    if ConsentText.objects.filter(kind=KIND).exists():
        return
    ConsentText.objects.create(
        kind=KIND,
        version=1,
        title_en=TITLE_EN,
        title_ru=TITLE_RU,
        body_en=BODY_EN,
        body_ru=BODY_RU,
        sha256=digest(KIND, 1, TITLE_EN, TITLE_RU, BODY_EN, BODY_RU),
        published_at=timezone.now(),
    )


def unseed(apps, schema_editor):
    ConsentText = apps.get_model("patients", "ConsentText")
    # Raw queryset delete: the model's delete() guard is not on historical models.
    ConsentText.objects.filter(kind=KIND, publication_consents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0030_photo_publication_consent_and_gallery_pairs")]

    operations = [migrations.RunPython(seed, unseed)]
