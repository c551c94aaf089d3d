"""Admin for the treatment record.

Products and lots are kept here by staff with the permission (managers by default);
managers edit each procedure's parameter schema (its parameters inline; every save
raises the schema's version, charts keep the copy they were made with). Charts,
adverse events and recalls are read-only here, for practitioners and managers:
they are written by the chart page's services only, and opening one is audited.
Nothing in the record offers a delete, whatever the permissions.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.admin import ReadOnlyAdmin
from patients.models import (
    AdverseEvent,
    AuditEntry,
    ChartAddendum,
    LotRecall,
    ParameterDefinition,
    ParameterSchema,
    Product,
    ProductLot,
    TreatmentProcedure,
    TreatmentVisit,
)
from patients.records.admin import AuditedChangeViewMixin


class NoDeleteAdmin(admin.ModelAdmin):
    """The record keeps every row: no delete, not even for superusers."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- products and lots -------------------------------------------------------------------------


@admin.register(Product)
class ProductAdmin(NoDeleteAdmin):
    list_display = ("name", "manufacturer", "kind", "unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "manufacturer")


class ProductLotForm(forms.ModelForm):
    class Meta:
        model = ProductLot
        fields = (
            "product",
            "lot_number",
            "expires_on",
            "received_on",
            "quantity_received",
            "quantity_left",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new lot has all it received; staff correct the count later if it is wrong.
            self.fields["quantity_left"].required = False
            self.fields["quantity_left"].help_text = _("Empty: the quantity received.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("quantity_left") is None and data.get("quantity_received") is not None:
            data["quantity_left"] = data["quantity_received"]
            self.instance.quantity_left = data["quantity_left"]
        return data


@admin.register(ProductLot)
class ProductLotAdmin(NoDeleteAdmin):
    form = ProductLotForm
    list_display = (
        "lot_number",
        "product",
        "expires_on",
        "received_on",
        "quantity_received",
        "quantity_left",
        "recalled",
    )
    list_filter = ("product__kind", "product", "expires_on")
    search_fields = ("lot_number", "product__name", "product__manufacturer")
    list_select_related = ("product", "recall")
    date_hierarchy = "expires_on"

    @admin.display(description=_("recalled"), boolean=True)
    def recalled(self, obj: ProductLot) -> bool:
        return hasattr(obj, "recall")


@admin.register(LotRecall)
class LotRecallAdmin(ReadOnlyAdmin):
    list_display = ("lot", "recalled_at", "recalled_by", "patients_told")
    list_select_related = ("lot__product", "recalled_by")
    fields = ("lot", "reason", "recalled_at", "recalled_by", "patients_told")
    readonly_fields = fields


# --- parameter schemas ---------------------------------------------------------------------


class ParameterDefinitionInline(admin.TabularInline):
    model = ParameterDefinition
    extra = 0
    fields = (
        "position",
        "key",
        "label_en",
        "label_ru",
        "kind",
        "scope",
        "unit",
        "minimum",
        "maximum",
        "decimal_places",
        "choices",
        "required",
    )


@admin.register(ParameterSchema)
class ParameterSchemaAdmin(NoDeleteAdmin):
    list_display = ("procedure", "version", "updated_at", "updated_by", "parameters")
    list_select_related = ("procedure", "updated_by")
    fields = ("procedure", "version", "updated_at", "updated_by")
    readonly_fields = ("version", "updated_at", "updated_by")
    inlines = (ParameterDefinitionInline,)
    search_fields = ("procedure__slug", "procedure__name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The procedure of an existing schema never changes: charts point at it.
        return (*self.readonly_fields, "procedure") if obj is not None else self.readonly_fields

    @admin.display(description=_("parameters"))
    def parameters(self, obj: ParameterSchema) -> int:
        return obj.definitions.count()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and any(formset.has_changed() for formset in formsets):
            ParameterSchema.objects.filter(pk=form.instance.pk).update(
                version=F("version") + 1, updated_at=timezone.now(), updated_by=request.user
            )
        elif not change:
            ParameterSchema.objects.filter(pk=form.instance.pk).update(updated_by=request.user)


# --- charts and events (read-only) -----------------------------------------------------------


class TreatmentProcedureInline(ReadOnlyInline):
    model = TreatmentProcedure
    fields = ("procedure_name_en", "is_booked", "values", "reasons", "screening_outcome")
    readonly_fields = fields


class ChartAddendumInline(ReadOnlyInline):
    model = ChartAddendum
    fields = ("written_at", "written_by", "reason", "text")
    readonly_fields = fields


@admin.register(TreatmentVisit)
class TreatmentVisitAdmin(AuditedChangeViewMixin, ReadOnlyAdmin):
    audit_action = AuditEntry.Action.VIEW_CHART
    list_display = ("patient", "session_on", "practitioner", "signed_at", "signed_by")
    list_filter = (("signed_at", admin.EmptyFieldListFilter), "session_on")
    list_select_related = ("patient__user", "practitioner__user", "signed_by")
    search_fields = ("patient__user__last_name", "patient__user__email")
    date_hierarchy = "session_on"
    fields = (
        "appointment",
        "patient",
        "practitioner",
        "session_on",
        "opened_at",
        "opened_by",
        "anaesthesia",
        "precare",
        "erythema",
        "frosting",
        "bleeding",
        "aftercare_given",
        "notes",
        "signed_at",
        "signed_by",
    )
    readonly_fields = fields
    inlines = (TreatmentProcedureInline, ChartAddendumInline)


@admin.register(AdverseEvent)
class AdverseEventAdmin(AuditedChangeViewMixin, ReadOnlyAdmin):
    audit_action = AuditEntry.Action.VIEW_ADVERSE_EVENT
    list_display = (
        "__str__",
        "patient",
        "severity",
        "status",
        "source",
        "assigned_to",
        "reported_at",
    )
    list_filter = ("status", "kind", "severity", "source", "outcome")
    list_select_related = ("patient__user", "assigned_to")
    search_fields = ("patient__user__last_name", "patient__user__email")
    fields = (
        "appointment",
        "patient",
        "kind",
        "severity",
        "onset_on",
        "description",
        "treatment_given",
        "outcome",
        "resolved_on",
        "source",
        "status",
        "reported_at",
        "reported_by",
        "assigned_to",
        "triaged_at",
        "triaged_by",
    )
    readonly_fields = fields
