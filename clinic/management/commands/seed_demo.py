"""Create the demo clinic: staff logins for every role (more as the portal grows).

Safe to run twice: everything is looked up before it is created.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from clinic.models import User

DEMO_MANAGER_EMAIL = "manager@clinic.local"


class Command(BaseCommand):
    help = "Create (or refresh) the demo clinic's accounts and data."

    def handle(self, *args: Any, **options: Any) -> None:
        password = settings.DEMO_PASSWORD
        manager, created = User.objects.get_or_create(
            email=DEMO_MANAGER_EMAIL,
            defaults={
                "first_name": "Marina",
                "last_name": "Volkova",
                "is_staff": True,
                "is_superuser": True,
                "preferred_language": "ru",
            },
        )
        if created:
            manager.set_password(password)
            manager.save(update_fields=["password"])
        self.stdout.write(
            f"Demo manager: {DEMO_MANAGER_EMAIL} ({'created' if created else 'exists'})"
        )
