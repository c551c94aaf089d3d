"""The portal's URLs plus `/bench/bare/`: a view doing nothing, to compare a page against."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clinic.urls import urlpatterns as portal_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    """The cost of Django itself: routing and the middleware, no query, no template."""
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), *portal_urlpatterns]
