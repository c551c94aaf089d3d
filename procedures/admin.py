"""The catalogue in the admin: procedures with their rules inline, each with its history.

Clinicians edit a procedure's texts in both languages, its course and price,
its screening rules, its washout group and its prerequisites, and the washout
table between groups; every save is validated (`full_clean`: the price floor,
the bounds, the rule constraints) and kept in the history with who made it and
when. A change to what screening reads sends `screening_rules_changed`, so the
booked appointments of the procedures concerned are screened again. Who may
edit what is granted by the permissions migrations.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .forms import scar_type_names
from .intake import SCAR_TYPES
from .models import (
    CareInstruction,
    PhotoView,
    Prerequisite,
    Procedure,
    ProcedureRule,
    WashoutGroup,
    WashoutRule,
)


class ProcedureAdminForm(forms.ModelForm):
    """Scar types and roles as checkboxes rather than raw JSON."""

    indicated_scar_types = forms.MultipleChoiceField(
        label=_("indicated scar types"),
        choices=[(value, value) for value in SCAR_TYPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    roles = forms.MultipleChoiceField(
        label=_("roles that may perform it"),
        choices=Procedure.PerformerRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Procedure
        # The admin's fieldsets decide the rest; these two need their widgets here.
        fields = ("indicated_scar_types", "roles")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = scar_type_names()
        cast(forms.ChoiceField, self.fields["indicated_scar_types"]).choices = [
            (value, names.get(value, value)) for value in SCAR_TYPES
        ]

    def _ordered(self, field: str, order: tuple[str, ...]) -> list[str]:
        chosen = set(self.cleaned_data.get(field) or ())
        return [value for value in order if value in chosen]

    def clean_indicated_scar_types(self) -> list[str]:
        return self._ordered("indicated_scar_types", SCAR_TYPES)

    def clean_roles(self) -> list[str]:
        return self._ordered("roles", tuple(Procedure.PerformerRole.values))


class ProcedureRuleInline(admin.TabularInline):
    model = ProcedureRule
    extra = 0
    fields = ("code", "severity", "window_days")


class PrerequisiteInline(admin.TabularInline):
    model = Prerequisite
    fk_name = "procedure"
    extra = 0
    fields = ("requires", "min_days", "max_days", "offer_slots", "source")
    verbose_name_plural = _("prerequisites (a done session of another procedure before)")


@admin.register(Procedure)
class ProcedureAdmin(SimpleHistoryAdmin, TranslationAdmin):
    form = ProcedureAdminForm
    inlines = (ProcedureRuleInline, PrerequisiteInline)
    list_display = ("name", "slug", "category", "price_from", "is_active", "display_order")
    list_filter = ("category", "room_kind", "is_active")
    search_fields = ("slug", "name_en", "name_ru")
    ordering = ("display_order", "slug")
    history_list_display = ("price_from", "is_active")
    fieldsets = (
        (None, {"fields": ("slug", "name", "category", "is_active", "display_order")}),
        (_("For patients"), {"fields": ("description", "downtime", "precare", "aftercare")}),
        (
            _("Indications and course"),
            {
                "fields": (
                    "indicated_scar_types",
                    ("sessions_min", "sessions_max"),
                    ("interval_min_days", "interval_max_days"),
                    "repeatable",
                    "recall_after_days",
                    "washout_group",
                )
            },
        ),
        (
            _("Booking and price"),
            {"fields": ("booked_minutes", "buffer_minutes", "room_kind", "roles", "price_from")},
        ),
        (_("Session photos"), {"fields": ("photos_required", "photo_views")}),
    )
    filter_horizontal = ("photo_views",)

    def get_readonly_fields(self, request: HttpRequest, obj: Procedure | None = None) -> Any:
        # The slug is what code, bookings and links refer to; it is set once.
        return ("slug",) if obj is not None else ()


@admin.register(ProcedureRule)
class ProcedureRuleAdmin(SimpleHistoryAdmin):
    list_display = ("procedure", "code", "severity", "window_days")
    list_filter = ("severity", "code", "procedure")
    list_select_related = ("procedure",)
    search_fields = ("procedure__slug", "code")


class WashoutRuleInline(admin.TabularInline):
    model = WashoutRule
    fk_name = "earlier_group"
    extra = 0
    fields = ("later_group", "later_procedure", "days", "severity", "source")
    verbose_name_plural = _("washouts after a session of this group")


@admin.register(WashoutGroup)
class WashoutGroupAdmin(SimpleHistoryAdmin, TranslationAdmin):
    inlines = (WashoutRuleInline,)
    list_display = ("name", "code", "display_order", "members")
    search_fields = ("code", "name_en", "name_ru")
    ordering = ("display_order", "code")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("procedures")

    @admin.display(description=_("procedures"))
    def members(self, group: WashoutGroup) -> str:
        return ", ".join(procedure.slug for procedure in group.procedures.all())

    def get_readonly_fields(self, request: HttpRequest, obj: WashoutGroup | None = None) -> Any:
        # The code is what other features read (procedures.selectors.washout_group_of).
        return ("code",) if obj is not None else ()


@admin.register(WashoutRule)
class WashoutRuleAdmin(SimpleHistoryAdmin):
    list_display = ("earlier_group", "later_group", "later_procedure", "days", "severity")
    list_filter = ("severity", "earlier_group", "later_group")
    list_select_related = ("earlier_group", "later_group", "later_procedure")


@admin.register(Prerequisite)
class PrerequisiteAdmin(SimpleHistoryAdmin):
    list_display = ("procedure", "requires", "min_days", "max_days", "offer_slots")
    list_filter = ("requires",)
    list_select_related = ("procedure", "requires")


@admin.register(CareInstruction)
class CareInstructionAdmin(TranslationAdmin):
    """Timed care instructions per procedure (sent by `patients.messaging.schedule`)."""

    list_display = ("procedure", "kind", "offset_days", "only_with_herpes_history", "active")
    list_filter = ("kind", "only_with_herpes_history", "active", "procedure")
    list_select_related = ("procedure",)
    search_fields = ("procedure__slug", "text_en", "text_ru")


@admin.register(PhotoView)
class PhotoViewAdmin(TranslationAdmin):
    """The standard photo views (front, obliques, profiles, and any the clinic adds)."""

    list_display = ("name", "slug", "guide", "display_order")
    ordering = ("display_order", "slug")
    search_fields = ("slug", "name_en", "name_ru")

    def get_readonly_fields(self, request: HttpRequest, obj: PhotoView | None = None) -> Any:
        # The slug is what links and the seed refer to; it is set once.
        return ("slug",) if obj is not None else ()
