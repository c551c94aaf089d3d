"""Catalogue and screening API under /api/v1/."""

urlpatterns: list = []
