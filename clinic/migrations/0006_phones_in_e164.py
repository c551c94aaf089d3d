"""Store every user's phone in E.164 ("8 916 555-12-34" becomes "+79165551234").

A number is read in the region of PHONENUMBER_DEFAULT_REGION when it has no country
code. One that is not a valid number stays exactly as typed (nothing is lost) and
the migration names the users who have one, so staff can ask them; the number
itself is not printed (it would end up in deploy logs).
"""

import phonenumbers
from django.conf import settings
from django.db import migrations


def normalise(apps, schema_editor):
    User = apps.get_model("clinic", "User")
    region = settings.PHONENUMBER_DEFAULT_REGION
    left_as_typed = []
    for pk, typed in User.objects.exclude(phone="").values_list("pk", "phone").iterator():
        try:
            number = phonenumbers.parse(typed, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            left_as_typed.append(pk)
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if e164 != typed:
            User.objects.filter(pk=pk).update(phone=e164)
    if left_as_typed:
        print(
            f"\n  {len(left_as_typed)} phone number(s) are not valid numbers and stay as "
            f"typed; users: {', '.join(map(str, left_as_typed))}"
        )


class Migration(migrations.Migration):
    dependencies = [("clinic", "0005_sign_in_log_permissions")]

    # Back is a no-op: the E.164 spelling is as good a spelling as the one typed.
    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
