"""Formerly: beat's row for reading SMS delivery reports every five minutes.

The job is now declared beside its service (patients/messaging/tasks.py) and put in
beat after migrate (clinic/periodic.py), which keeps a row this migration made.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0015_sms_channel_and_message_preferences"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
