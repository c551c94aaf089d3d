"""Admin of the patient's record: profiles, intake versions, consent, photos, audit, erasure.

Intake versions, signatures, consent texts and the audit log are immutable:
they are shown read-only and can never be changed or deleted here. Opening a
patient's intake version or photo page writes an audit row, as the staff pages
do. New consent texts are published through `publish_consent_text` (a new
version with its hash); erasure is completed by an admin action that calls
`complete_erasure`.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.admin import PhoneSearchAdmin, ReadOnlyAdmin
from clinic.http import client_address, signed_in_user
from patients.models import (
    AuditEntry,
    ConsentSignature,
    ConsentText,
    DrawnSignature,
    ErasureRequest,
    IntakeVersion,
    PatientProfile,
    Photo,
    TabletSession,
    consent_kind_choices,
)
from patients.records import services
from procedures.errors import DomainError


class AuditedChangeViewMixin(admin.ModelAdmin):
    """Write an audit row whenever staff open one object's page."""

    audit_action: str = ""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_view_permission(request, obj):
            services.record_access(
                actor=signed_in_user(request),
                patient=obj.patient,
                action=self.audit_action,
                detail=f"admin {obj._meta.model_name} #{obj.pk}",
                ip_address=client_address(request),
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(PatientProfile)
class PatientProfileAdmin(PhoneSearchAdmin, ReadOnlyAdmin):
    phone_field = "user__phone"
    list_display = ("__str__", "email", "phone", "date_of_birth", "verified", "erased_at")
    list_filter = (
        ("email_verified_at", admin.EmptyFieldListFilter),
        ("erased_at", admin.EmptyFieldListFilter),
        ("email_bounced_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("user__email", "user__first_name", "user__last_name", "user__phone")
    fields = (
        "user",
        "email",
        "phone",
        "date_of_birth",
        "email_verified_at",
        "email_bounced_at",
        "email_bounce_reason",
        "created_at",
        "erased_at",
    )
    readonly_fields = fields
    list_select_related = ("user",)

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def email(self, obj: PatientProfile) -> str:
        return obj.user.email

    @admin.display(description=_("phone"))
    def phone(self, obj: PatientProfile) -> str:
        return obj.user.phone

    @admin.display(description=_("e-mail verified"), boolean=True)
    def verified(self, obj: PatientProfile) -> bool:
        return obj.is_verified


@admin.register(IntakeVersion)
class IntakeVersionAdmin(AuditedChangeViewMixin, ReadOnlyAdmin):
    audit_action = AuditEntry.Action.VIEW_INTAKE
    list_display = (
        "patient",
        "number",
        "source",
        "submitted_by",
        "submitted_at",
        "clinician_confirmed",
    )
    list_filter = ("source", "clinician_confirmed", "submitted_at")
    search_fields = ("patient__user__email", "patient__user__last_name")
    list_select_related = ("patient__user", "submitted_by")
    fields = (
        "patient",
        "number",
        "source",
        "reason",
        "submitted_by",
        "submitted_at",
        "patient_reviewed_at",
        "clinician_confirmed",
        "schema_version",
        "pretty_answers",
    )
    readonly_fields = fields

    @admin.display(description=_("answers"))
    def pretty_answers(self, obj: IntakeVersion) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.answers, indent=2, ensure_ascii=False))


class ConsentTextForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=consent_kind_choices)

    class Meta:
        model = ConsentText
        fields = ("kind", "title_en", "title_ru", "body_en", "body_ru")


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    form = ConsentTextForm
    list_display = ("title_en", "kind", "version", "published_at", "short_hash")
    list_filter = ("kind",)
    search_fields = ("title_en", "title_ru", "sha256")

    @admin.display(description=_("SHA-256"))
    def short_hash(self, obj: ConsentText) -> str:
        return obj.sha256[:12] + "…"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return (
            "kind",
            "version",
            "title_en",
            "title_ru",
            "body_en",
            "body_ru",
            "sha256",
            "published_at",
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("kind", "title_en", "title_ru", "body_en", "body_ru")
        return self.get_readonly_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ConsentText, form: Any, change: bool) -> None:
        # Publishing numbers the version and hashes the words; the form's object is replaced.
        published = services.publish_consent_text(
            kind=form.cleaned_data["kind"],
            title_en=form.cleaned_data["title_en"],
            title_ru=form.cleaned_data["title_ru"],
            body_en=form.cleaned_data["body_en"],
            body_ru=form.cleaned_data["body_ru"],
        )
        obj.pk = published.pk
        obj.version = published.version
        obj._state.adding = False

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None:
            kwargs["form"] = forms.ModelForm
            kwargs["fields"] = ()
        return super().get_form(request, obj, change, **kwargs)


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "patient", "kind", "text_version", "signed_at", "ip_address")
    list_filter = ("kind", "signed_at")
    search_fields = ("full_name", "patient__user__email", "text_sha256")
    list_select_related = ("patient__user",)
    fields = (
        "patient",
        "text",
        "kind",
        "text_version",
        "text_sha256",
        "full_name",
        "ticked",
        "language",
        "signed_at",
        "ip_address",
        "user_agent",
        "drawn_signature",
    )
    readonly_fields = fields

    @admin.display(description=_("drawn signature"))
    def drawn_signature(self, obj: ConsentSignature) -> str:
        """The finger-drawn signature of the clinic tablet, with its device (issue #20)."""
        drawn = DrawnSignature.objects.filter(signature=obj).first()
        if drawn is None:
            return "-"
        source = "data:image/png;base64," + base64.b64encode(bytes(drawn.image)).decode()
        return format_html(
            '<img src="{}" alt="{}" width="300"><br>{} · {}',
            source,
            drawn.full_name,
            drawn.device or "-",
            drawn.drawn_at,
        )


@admin.register(TabletSession)
class TabletSessionAdmin(ReadOnlyAdmin):
    list_display = ("patient", "opened_by", "created_at", "expires_at", "finished_at")
    list_select_related = ("patient__user", "opened_by")
    fields = ("patient", "consent_kinds", "opened_by", "created_at", "expires_at", "finished_at")
    readonly_fields = fields


@admin.register(Photo)
class PhotoAdmin(AuditedChangeViewMixin, ReadOnlyAdmin):
    audit_action = AuditEntry.Action.VIEW_PHOTOS
    list_display = ("uuid", "patient", "kind", "view", "image_format", "uploaded_at")
    list_filter = ("kind", "view", "image_format", "uploaded_at")
    search_fields = ("patient__user__email", "patient__user__last_name", "note")
    list_select_related = ("patient__user", "view")
    fields = (
        "preview",
        "patient",
        "kind",
        "appointment",
        "view",
        "status",
        "note",
        "image_format",
        "width",
        "height",
        "size_bytes",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, obj: Photo) -> str:
        if not obj.is_ready:
            return str(obj.get_status_display())
        full = reverse("patients:photo-file", args=[obj.uuid, "full"])
        thumb = reverse("patients:photo-file", args=[obj.uuid, "thumb"])
        return format_html('<a href="{}"><img src="{}" alt="" width="240"></a>', full, thumb)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "patient", "detail", "ip_address")
    list_filter = ("action", "created_at")
    search_fields = ("actor__email", "patient__user__email", "detail")
    list_select_related = ("actor", "patient__user")
    date_hierarchy = "created_at"
    fields = ("created_at", "actor", "action", "patient", "detail", "ip_address")
    readonly_fields = fields


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ("patient", "status", "requested_at", "completed_at", "completed_by")
    list_filter = ("status", "requested_at")
    search_fields = ("patient__user__email", "patient__user__last_name")
    list_select_related = ("patient__user", "completed_by")
    fields = (
        "patient",
        "status",
        "requested_at",
        "patient_note",
        "completed_at",
        "completed_by",
        "summary",
    )
    readonly_fields = fields
    actions = ("complete_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(
        description=_("Complete the erasure of the selected requests"), permissions=["change"]
    )
    def complete_selected(
        self, request: HttpRequest, queryset: QuerySet[ErasureRequest]
    ) -> TemplateResponse | None:
        """First a page saying what goes and what stays; the erasure once confirmed there."""
        open_requests = queryset.filter(status=ErasureRequest.Status.REQUESTED)
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Complete the erasure?"),
                "opts": self.model._meta,
                "requests": open_requests.select_related("patient__user"),
                "outline": services.erasure_outline(),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/patients/erasure_confirm.html", context)
        done = 0
        for erasure in open_requests:
            try:
                services.complete_erasure(erasure=erasure, by=signed_in_user(request))
            except DomainError as error:
                self.message_user(request, f"{erasure}: {error.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            _("Erasure completed for %(count)d request(s).") % {"count": done},
            messages.SUCCESS,
        )
        return None
