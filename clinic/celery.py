"""The Celery application, configured from Django settings under the CELERY_ namespace."""

import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.local")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs: Any) -> None:
    """Log in the worker and beat as the web does: through settings.LOGGING.

    Without a receiver of this signal Celery replaces the root logger's handlers
    with its own, and the filter that hides e-mail addresses and phone numbers
    (clinic/logging.py) is gone from every worker and beat log line.
    """
    logging.config.dictConfig(settings.LOGGING)
