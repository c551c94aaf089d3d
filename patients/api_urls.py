"""Patient-side API under /api/v1/: token, availability, appointments."""

urlpatterns: list = []
