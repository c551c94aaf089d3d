"""Admin for the patient's side.

Intake versions, signatures, consent texts and the audit log are immutable:
they are shown read-only and can never be changed or deleted here. Opening a
patient's intake version or photo page writes an audit row, as the staff pages
do. New consent texts are published through `publish_consent_text` (a new
version with its hash); erasure is completed by an admin action that calls
`complete_erasure`. The outbox (every message to every patient) is read-only
but for an action that puts failed messages back in the queue.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from clinic.admin import ClosureAdmin, PractitionerFilter
from clinic.availability import clinic_zone, local_date, local_day_bounds
from clinic.http import client_address
from clinic.models import Closure
from patients.booking.services import booking
from patients.models import (
    Appointment,
    AuditEntry,
    ConsentSignature,
    ConsentText,
    ErasureRequest,
    IntakeVersion,
    OutboxMessage,
    PatientProfile,
    Photo,
    ReviewDecision,
    consent_kind_choices,
)
from patients.models.lifecycle import HOLDING_STATUSES
from patients.records import services
from procedures.errors import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services only: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedChangeViewMixin:
    """Write an audit row whenever staff open one object's page."""

    audit_action: str = ""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is not None and self.has_view_permission(request, obj):  # type: ignore[attr-defined]
            services.record_access(
                actor=request.user,  # type: ignore[arg-type]
                patient=obj.patient,
                action=self.audit_action,
                detail=f"admin {obj._meta.model_name} #{obj.pk}",
                ip_address=client_address(request),
            )
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]


@admin.register(PatientProfile)
class PatientProfileAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "email", "phone", "date_of_birth", "verified", "erased_at")
    list_filter = (
        ("email_verified_at", admin.EmptyFieldListFilter),
        ("erased_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("user__email", "user__first_name", "user__last_name", "user__phone")
    fields = (
        "user",
        "email",
        "phone",
        "date_of_birth",
        "email_verified_at",
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
    )
    readonly_fields = fields


@admin.register(Photo)
class PhotoAdmin(AuditedChangeViewMixin, ReadOnlyAdmin):
    audit_action = AuditEntry.Action.VIEW_PHOTOS
    list_display = ("uuid", "patient", "kind", "image_format", "width", "height", "uploaded_at")
    list_filter = ("kind", "image_format", "uploaded_at")
    search_fields = ("patient__user__email", "patient__user__last_name", "note")
    list_select_related = ("patient__user",)
    fields = (
        "preview",
        "patient",
        "kind",
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
    def complete_selected(self, request: HttpRequest, queryset: QuerySet[ErasureRequest]) -> None:
        done = 0
        for erasure in queryset.filter(status=ErasureRequest.Status.REQUESTED):
            try:
                services.complete_erasure(erasure=erasure, by=request.user)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(request, f"{erasure}: {error.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            _("Erasure completed for %(count)d request(s).") % {"count": done},
            messages.SUCCESS,
        )


# --- the staff workspace: the appointment list and closures (issue 6) ----------------------


class WhenFilter(admin.SimpleListFilter):
    """Today, this week or the next seven days, by the clinic's local dates (custom: the
    date hierarchy above the list)."""

    title = _("date")
    parameter_name = "when"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return (
            ("today", _("Today")),
            ("week", _("This week")),
            ("next7", _("Next 7 days")),
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value not in ("today", "week", "next7"):
            return queryset
        zone = clinic_zone()
        today = local_date(timezone.now())
        if value == "today":
            first, days = today, 1
        elif value == "week":
            first, days = today - dt.timedelta(days=today.weekday()), 7
        else:
            first, days = today, 7
        start, _end = local_day_bounds(first, zone=zone)
        _start, end = local_day_bounds(first + dt.timedelta(days=days - 1), zone=zone)
        return queryset.filter(start__gte=start, start__lt=end)


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    """Every decision on a flagged booking (who, when, what, note): written by services only."""

    list_display = ("at", "appointment", "kind", "by", "note")
    list_filter = ("kind", "at")
    search_fields = ("appointment__patient__user__last_name", "appointment__patient__user__email")
    list_select_related = ("appointment", "by")
    date_hierarchy = "at"
    fields = ("appointment", "kind", "by", "at", "note", "flags")
    readonly_fields = fields


class CancelReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the patient is told)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """The appointment list; actions call the booking services, one row at a time."""

    list_display = (
        "local_start",
        "patient",
        "patient_phone",
        "procedure_name_en",
        "practitioner",
        "room",
        "status_badge",
        "flagged",
    )
    list_filter = (
        WhenFilter,
        ("practitioner", PractitionerFilter),
        "room",
        "procedure",
        "status",
    )
    search_fields = (
        "patient__user__first_name",
        "patient__user__last_name",
        "patient__user__email",
        "patient__user__phone",
    )
    list_select_related = ("patient__user", "practitioner__user", "room", "procedure")
    date_hierarchy = "start"
    ordering = ("start", "pk")
    list_per_page = 50
    actions = ("check_in_selected", "complete_selected", "no_show_selected", "cancel_selected")
    exclude = ("intake_version",)

    class Media:
        css = {"all": ("css/workspace.css",)}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only the booking services make appointments

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields if f.name != "intake_version"]

    @admin.display(description=_("start"), ordering="start")
    def local_start(self, obj: Appointment) -> str:
        return f"{obj.start.astimezone(clinic_zone()):%Y-%m-%d %H:%M}"

    @admin.display(description=_("phone"))
    def patient_phone(self, obj: Appointment) -> str:
        return obj.patient.user.phone

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: Appointment) -> str:
        return format_html(
            '<span class="status status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description=_("flags"), boolean=True)
    def flagged(self, obj: Appointment) -> bool:
        return bool(obj.screening_flags)

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Appointment],
        action: Any,
        done_message: str,
        **kwargs: Any,
    ) -> None:
        done = 0
        for appointment in queryset:
            try:
                action(appointment=appointment, by=request.user, **kwargs)
            except DomainError as error:
                self.message_user(request, f"{appointment}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Check in the selected patients"), permissions=["change"])
    def check_in_selected(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        self._each(request, queryset, booking.check_in, _("%(count)d checked in."))

    @admin.action(description=_("Complete the selected appointments"), permissions=["change"])
    def complete_selected(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        self._each(request, queryset, booking.complete_appointment, _("%(count)d completed."))

    @admin.action(description=_("Mark the selected as no-show"), permissions=["change"])
    def no_show_selected(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        self._each(request, queryset, booking.mark_no_show, _("%(count)d marked as no-show."))

    @admin.action(description=_("Cancel the selected appointments…"), permissions=["change"])
    def cancel_selected(
        self, request: HttpRequest, queryset: QuerySet[Appointment]
    ) -> TemplateResponse | None:
        form = CancelReasonForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            self._each(
                request,
                queryset,
                booking.cancel_appointment,
                _("%(count)d cancelled."),
                reason=form.cleaned_data["reason"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Cancel appointments"),
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/patients/appointment/cancel_reason.html", context)


class ClosureWithAppointmentsAdmin(ClosureAdmin):
    """Closures, with the active appointments a closure hits, so staff can move them."""

    readonly_fields = ("affected_appointments",)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append((_("Appointments affected"), {"fields": ("affected_appointments",)}))
        return fieldsets

    @admin.display(description=_("appointments affected"))
    def affected_appointments(self, obj: Closure) -> str:
        rows = affected_by_closure(obj)
        if not rows:
            return str(_("None."))
        return format_html_join(
            "",
            '<div><a href="{}">{} — {}</a></div>',
            ((reverse("workspace:appointment", args=[a.pk]), a.patient, a) for a in rows),
        )

    def save_model(self, request: HttpRequest, obj: Closure, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        count = len(affected_by_closure(obj))
        if count:
            self.message_user(
                request,
                _(
                    "This closure hits %(count)d booked appointment(s): "
                    "open the closure to see them and move them."
                )
                % {"count": count},
                messages.WARNING,
            )


def affected_by_closure(closure: Closure) -> list[Appointment]:
    """The active appointments inside a closure's period, for its practitioner, room or all."""
    zone = clinic_zone()
    start = dt.datetime.combine(closure.starts_on, closure.start_time or dt.time(0), tzinfo=zone)
    if closure.end_time is not None:
        end = dt.datetime.combine(closure.ends_on, closure.end_time, tzinfo=zone)
    else:
        end = local_day_bounds(closure.ends_on, zone=zone)[1]
    appointments = Appointment.objects.filter(
        status__in=HOLDING_STATUSES, start__lt=end, end__gt=start
    ).select_related("patient__user", "practitioner__user", "room")
    if closure.practitioner_id is not None:
        appointments = appointments.filter(practitioner_id=closure.practitioner_id)
    if closure.room_id is not None:
        appointments = appointments.filter(room_id=closure.room_id)
    return list(appointments.order_by("start", "pk"))


admin.site.unregister(Closure)
admin.site.register(Closure, ClosureWithAppointmentsAdmin)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "patient",
        "due_at",
        "state",
        "sent_at",
        "attempts",
        "short_error",
    )
    list_filter = ("state", "kind", "due_at", "sent_at")
    search_fields = ("patient__user__email", "patient__user__last_name", "message_id")
    date_hierarchy = "due_at"
    list_select_related = ("patient__user",)
    fields = (
        "kind",
        "patient",
        "appointment",
        "course",
        "intake_version",
        "waitlist_offer",
        "subject_version",
        "due_at",
        "state",
        "attempts",
        "claimed_at",
        "sent_at",
        "last_error",
        "message_id",
        "dedupe_key",
        "created_at",
    )
    readonly_fields = fields
    actions = ("retry_selected",)

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:80]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only the retry action changes rows; the change page stays read-only (fields above).
        return request.user.has_perm("patients.change_outboxmessage")  # type: ignore[union-attr]

    @admin.action(description=_("Send the selected failed messages again"), permissions=["change"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = services.retry_failed_messages(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            _("%(count)s failed messages will be sent again within a minute.") % {"count": count},
            messages.SUCCESS,
        )
