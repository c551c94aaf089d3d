"""The patient's pages (namespace `patients`): `/me/...`, photos, `/staff/patients/...`, booking.

Each sub-package keeps its own list; the names and paths are the portal's contract.
"""

from patients.booking.urls import urlpatterns as booking_patterns
from patients.messaging.urls import urlpatterns as messaging_patterns
from patients.records.outcomes.gallery.urls import urlpatterns as gallery_patterns
from patients.records.outcomes.progress_urls import urlpatterns as progress_patterns
from patients.records.urls import urlpatterns as records_patterns
from patients.workspace.patient_urls import urlpatterns as staff_patient_patterns

app_name = "patients"
urlpatterns = [
    *records_patterns,
    *progress_patterns,
    *gallery_patterns,
    *staff_patient_patterns,
    *booking_patterns,
    *messaging_patterns,
]
