"""The patient's publication pages and the public pictures (in the `patients` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "me/photos/<uuid:photo_uuid>/publication/",
        views.photo_publish,
        name="photo-publish",
    ),
    path(
        "me/photos/<uuid:photo_uuid>/publication/withdraw/",
        views.photo_withdraw_publication,
        name="photo-withdraw-publication",
    ),
    path("gallery/<uuid:pair_uuid>/<str:side>.jpg", views.gallery_picture, name="gallery-picture"),
]
