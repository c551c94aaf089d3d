"""Admin of booking: the appointment list, review decisions, and what a closure hits.

The appointment list (part of the staff workspace) filters by the clinic's
local dates and acts one row at a time through the booking services (check in,
complete, no-show, cancel with a reason the patient is told); nothing is added
or deleted here. Review decisions are read-only. A closure's page lists the
active appointments it hits, so staff can move them. The manager follows the
re-screening jobs of catalogue edits (read-only: progress, what they found).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from clinic.admin import ClosureAdmin, PhoneSearchAdmin, PractitionerFilter, ReadOnlyAdmin
from clinic.availability import clinic_zone, local_day_bounds
from clinic.models import Closure
from clinic.roles import Role, has_role
from patients.booking.selectors import affected_by_closure
from patients.booking.services import (
    cancel_appointment,
    check_in,
    complete_appointment,
    mark_no_show,
)
from patients.models import Appointment, RescreenJob, ReviewDecision
from procedures.errors import DomainError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
        today = timezone.localdate()
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
    """Every decision on a flagged booking (who, when, what, reason, clinical note): written by
    services only; the clinical note and the flags are for clinicians."""

    health_fields = ("note", "flags")
    list_display = ("at", "appointment", "kind", "by", "reason", "note")
    list_filter = ("kind", "at")
    search_fields = ("appointment__patient__user__last_name", "appointment__patient__user__email")
    list_select_related = ("appointment", "by")
    date_hierarchy = "at"
    fields = ("appointment", "kind", "by", "at", "reason", "note", "flags")
    readonly_fields = fields


class CancelReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the patient is told)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(Appointment)
class AppointmentAdmin(PhoneSearchAdmin):
    """The appointment list; actions call the booking services, one row at a time.

    Receptionists see that a booking was flagged (the column), never which rules fired.
    """

    health_fields = ("screening_flags", "intake_version")
    phone_field = "patient__user__phone"
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
        names = [f.name for f in self.model._meta.fields if f.name != "intake_version"]
        return self._without_health(request, names)

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
        done_message: StrOrPromise,
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

    @admin.action(description=_("Check in the selected patients…"), permissions=["change"])
    def check_in_selected(
        self, request: HttpRequest, queryset: QuerySet[Appointment]
    ) -> TemplateResponse | None:
        # Each patient confirms that nothing in the questionnaire changed: asked first.
        if "confirm" in request.POST and request.POST.get("nothing_changed") == "1":
            self._each(
                request, queryset, check_in, _("%(count)d checked in."), nothing_changed=True
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Check in"),
            "opts": self.model._meta,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/patients/appointment/check_in.html", context)

    @admin.action(description=_("Complete the selected appointments"), permissions=["change"])
    def complete_selected(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        self._each(request, queryset, complete_appointment, _("%(count)d completed."))

    @admin.action(description=_("Mark the selected as no-show"), permissions=["change"])
    def no_show_selected(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        self._each(request, queryset, mark_no_show, _("%(count)d marked as no-show."))

    @admin.action(description=_("Cancel the selected appointments…"), permissions=["change"])
    def cancel_selected(
        self, request: HttpRequest, queryset: QuerySet[Appointment]
    ) -> TemplateResponse | None:
        form = CancelReasonForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            self._each(
                request,
                queryset,
                cancel_appointment,
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
        # Each one moved or cancelled in one step at the desk; either way the patient is told.
        cancel_query = "?" + urlencode({"reason": obj.reason or _("The clinic is closed.")})
        return format_html_join(
            "",
            '<div><a href="{}">{} — {}</a> · <a href="{}">{}</a> · <a href="{}">{}</a></div>',
            (
                (
                    reverse("workspace:appointment", args=[a.pk]),
                    a.patient,
                    a,
                    reverse("desk:move", args=[a.pk]),
                    _("Move"),
                    reverse("desk:cancel", args=[a.pk]) + cancel_query,
                    _("Cancel"),
                )
                for a in rows
            ),
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


admin.site.unregister(Closure)
admin.site.register(Closure, ClosureWithAppointmentsAdmin)


@admin.register(RescreenJob)
class RescreenJobAdmin(ReadOnlyAdmin):
    """The manager follows a catalogue edit's re-screening: how far it got, what it found."""

    list_display = (
        "created_at",
        "procedures",
        "state",
        "progress",
        "sent_to_review",
        "finished_at",
    )
    list_filter = ("state",)
    readonly_fields = (
        "procedure_slugs",
        "state",
        "total",
        "done",
        "sent_to_review",
        "created_at",
        "started_at",
        "finished_at",
        "error",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, Role.MANAGER)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, Role.MANAGER)

    @admin.display(description=_("procedures"))
    def procedures(self, obj: RescreenJob) -> str:
        return ", ".join(obj.procedure_slugs)

    @admin.display(description=_("progress"))
    def progress(self, obj: RescreenJob) -> str:
        return f"{obj.done} / {obj.total}"
