"""The patient's booking pages (included in the `patients` namespace): `book` starts the journey."""

from django.urls import path

from patients.booking.views import care, courses, guest, reply, waitlist
from patients.booking.views import patient as views

urlpatterns = [
    path("book/", views.book, name="book"),
    path("book/<slug:slug>/", views.book_procedure, name="book-procedure"),
    path("book/<slug:slug>/confirm/", views.book_confirm, name="book-confirm"),
    path("book/<slug:slug>/course/", courses.book_course, name="book-course"),
    path("book/<slug:slug>/waitlist/", waitlist.waitlist_join, name="waitlist-join"),
    path("me/appointments/", views.appointments, name="appointments"),
    path("me/appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path("me/appointments/<int:pk>/calendar.ics", views.appointment_ics, name="appointment-ics"),
    path("me/appointments/<int:pk>/move/", views.appointment_move, name="appointment-move"),
    path("me/appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("me/waitlist/<int:pk>/leave/", waitlist.waitlist_leave, name="waitlist-leave"),
    path("me/waitlist/offers/<int:pk>/", waitlist.waitlist_offer, name="waitlist-offer"),
    path(
        "me/appointments/<int:pk>/acknowledge-care/",
        views.appointment_acknowledge_care,
        name="appointment-acknowledge-care",
    ),
    path("r/<str:token>/", reply.reply, name="reply"),
    path("c/<str:token>/", care.acknowledge_care, name="acknowledge-care"),
]

urlpatterns += [
    path("book/<slug:slug>/guest/", guest.book_guest, name="book-guest"),
    path("book/<slug:slug>/guest/code/", guest.book_guest_code, name="book-guest-code"),
]
