"""The patient's publication pages, the public pictures, and the manager's gallery pages.

Who sees what, decided first in every view:
- `/me/photos/<photo>/publication/...`: the signed-in patient's own photo only (another
  patient's, or a staff account: 404). Only the patient decides; no staff page can.
- `/gallery/<pair>/<side>.jpg`: anyone, but only while the pair is public (both photos
  with a live consent), asked on every request; otherwise 404. The answer is never
  stored (`no-store`), so a withdrawn photo is not kept by a browser or a proxy either.
- `/admin/gallery/...`: managers only (403 for other staff). Thumbnails there go
  through the access-checked photo view, which audits each one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.http import NO_STORE, SignedInRequest, admin_page, client_address, no_store
from clinic.roles import Role, role_required
from patients.models import GalleryPair, PatientProfile, Photo
from patients.records.forms import add_domain_error
from patients.records.views import current_patient
from procedures.errors import DomainError
from procedures.selectors import active_procedures

from . import selectors, services
from .forms import GalleryPairForm, PublishPhotoForm


def _own_photo(request: SignedInRequest, photo_uuid: str) -> Photo:
    return get_object_or_404(Photo, uuid=photo_uuid, patient=current_patient(request))


@login_required
@no_store
@require_http_methods(["GET", "POST"])
def photo_publish(request: SignedInRequest, photo_uuid: str) -> HttpResponse:
    """Read the publication consent for one of the patient's photos and tick it."""
    photo = _own_photo(request, photo_uuid)
    text = selectors.current_publication_text()
    if text is None or not photo.is_ready:
        raise Http404
    consent = selectors.live_consent_of(photo)
    form = PublishPhotoForm(request.POST or None, initial={"version": text.version})
    if request.method == "POST" and consent is None and form.is_valid():
        if form.cleaned_data["version"] != text.version:
            form.add_error(
                None, _("The text has changed since you opened it. Please read it again.")
            )
        else:
            try:
                services.give_publication_consent(
                    photo=photo,
                    text=text,
                    by=request.user,
                    ticked=form.cleaned_data["ticked"],
                    ip_address=client_address(request),
                    language=translation.get_language() or "",
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you: the clinic may now show this photo in its before/after gallery."),
                )
                return redirect("patients:photos")
    context = {"photo": photo, "text": text, "form": form, "consent": consent}
    return render(
        request, "patients/gallery/photo_publish.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def photo_withdraw_publication(request: SignedInRequest, photo_uuid: str) -> HttpResponse:
    """Withdraw the photo's publication consent: it leaves every public page at once."""
    photo = _own_photo(request, photo_uuid)
    try:
        withdrawn = services.withdraw_publication_consent(photo=photo, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if withdrawn is not None:
            messages.success(
                request, _("Withdrawn: the photo is no longer shown to anyone outside the clinic.")
            )
    return redirect("patients:photos")


@require_GET
def gallery_picture(request: HttpRequest, pair_uuid: str, side: str) -> HttpResponse:
    """One side of a public pair, cut to the manager's region (404 once not public)."""
    if side not in services.SIDES:
        raise Http404
    pair = selectors.public_pair(pair_uuid)
    if pair is None:
        raise Http404
    response = HttpResponse(services.public_picture(pair, side), content_type="image/jpeg")
    response["Cache-Control"] = NO_STORE
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the manager's pages ---------------------------------------------------------------------


def _page(
    request: SignedInRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"title": _("Before/after gallery"), **context}
    return admin_page(request, f"patients/gallery/{template}", context, status)


@role_required(Role.MANAGER)
@require_GET
def gallery_index(request: SignedInRequest) -> HttpResponse:
    """Every pair (public or not), and the patients who allowed photos to be published."""
    context = {
        "pairs": selectors.pairs_for_staff(),
        "patients": selectors.patients_with_publishable_photos(),
    }
    return _page(request, "index.html", context)


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def gallery_new_pair(request: SignedInRequest, patient_id: int) -> HttpResponse:
    """Pick a procedure, a before and an after photo of one patient, and the region shown."""
    patient = get_object_or_404(PatientProfile.objects.select_related("user"), pk=patient_id)
    photos = selectors.publishable_photos(patient)
    form = GalleryPairForm(request.POST or None, photos=photos, procedures=active_procedures())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_gallery_pair(
                procedure=data["procedure"],
                before=data["before"],
                after=data["after"],
                crop=(data["crop_x"], data["crop_y"], data["crop_width"], data["crop_height"]),
                by=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The pair is in the procedure's gallery."))
            return redirect("gallery:index")
    context = {"patient": patient, "photos": photos, "form": form}
    return _page(request, "new_pair.html", context, status=400 if form.errors else 200)


@role_required(Role.MANAGER)
@require_POST
def gallery_delete_pair(request: SignedInRequest, pair_id: int) -> HttpResponse:
    pair = get_object_or_404(GalleryPair, pk=pair_id)
    services.delete_gallery_pair(pair=pair, by=request.user)
    messages.success(request, _("The pair is removed from the gallery."))
    return redirect("gallery:index")
