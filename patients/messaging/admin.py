"""Admin of the outbox: every message to every patient, read-only but for a retry.

Receptionists and managers see the messages (due, sent, failed with their last
error) and may put failed ones back in the queue (`retry_failed`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clinic.admin import ReadOnlyAdmin
from patients.messaging.outbox import retry_failed
from patients.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "channel",
        "patient",
        "due_at",
        "state",
        "sent_at",
        "attempts",
        "short_error",
    )
    list_filter = ("state", "channel", "kind", "due_at", "sent_at")
    search_fields = ("patient__user__email", "patient__user__last_name", "message_id")
    date_hierarchy = "due_at"
    list_select_related = ("patient__user",)
    fields = (
        "kind",
        "channel",
        "patient",
        "appointment",
        "course",
        "intake_version",
        "waitlist_offer",
        "subject_version",
        "due_at",
        "send_by",
        "state",
        "attempts",
        "claimed_at",
        "sent_at",
        "recipient",
        "gateway_id",
        "delivered_at",
        "handed_over_at",
        "cancel_arrived_at",
        "first_failed_at",
        "note",
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
        return request.user.has_perm("patients.change_outboxmessage")

    @admin.action(description=_("Send the selected failed messages again"), permissions=["change"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = retry_failed(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            _("%(count)s failed messages will be sent again within a minute.") % {"count": count},
            messages.SUCCESS,
        )
