"""The clinic project: settings, URLs, the Celery app and the clinic's own resources."""

from .celery import app as celery_app

__all__ = ("celery_app",)
