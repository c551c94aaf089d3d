"""Admin for outcomes: scar gradings, read-only for practitioners and managers.

Gradings are written by the grading page's service only (which computes the score);
opening one here is audited, and nothing offers an add, a change or a delete.
"""

from __future__ import annotations

from django.contrib import admin

from clinic.admin import ReadOnlyAdmin
from patients.models import AuditEntry, ScarGrading
from patients.records.admin import AuditedChangeViewMixin


@admin.register(ScarGrading)
class ScarGradingAdmin(AuditedChangeViewMixin, ReadOnlyAdmin):
    audit_action = AuditEntry.Action.VIEW_CHART
    list_display = ("patient", "graded_on", "overall_grade", "score", "graded_by")
    list_filter = ("overall_grade", "graded_on")
    list_select_related = ("patient__user", "graded_by")
    search_fields = ("patient__user__last_name", "patient__user__email")
    date_hierarchy = "graded_on"
    fields = (
        "visit",
        "patient",
        "graded_on",
        "overall_grade",
        "zone_grades",
        "macular_count",
        "mild_dish_count",
        "moderate_dish_count",
        "punched_shallow_count",
        "shallow_broad_count",
        "punched_deep_normal_count",
        "punched_deep_abnormal_count",
        "linear_troughed_count",
        "deep_broad_count",
        "papular_count",
        "keloidal_area_cm2",
        "score",
        "graded_at",
        "graded_by",
    )
    readonly_fields = fields
