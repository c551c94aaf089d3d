from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = _("Patients")

    def ready(self) -> None:
        # The Celery tasks live beside the services they run; importing them here
        # registers them under their names ("patients.tasks.*") in every process,
        # the web server's included, which enqueues them by name.
        from anymail.signals import tracking
        from django.db.models.signals import post_delete

        import patients.booking.tasks
        import patients.messaging.tasks
        import patients.records.outcomes.photos.gate
        import patients.records.tasks  # noqa: F401
        from patients.booking.receivers import connect_receivers
        from patients.messaging.email_events import on_tracking
        from patients.models import GalleryPair
        from patients.records.outcomes.gallery.services import pair_deleted

        # The outcome photos' gate joins the chart's "can it be signed?" on import.
        # Booked appointments are screened again when what they were screened with changes.
        connect_receivers()
        # E-mail providers' delivery reports (anymail's webhooks) land on the outbox rows.
        tracking.connect(on_tracking, dispatch_uid="patients.messaging.email_events")
        # A pair deleted (by a manager, or with its photos at an erasure) leaves the public pages.
        post_delete.connect(pair_deleted, sender=GalleryPair, dispatch_uid="patients.gallery")
