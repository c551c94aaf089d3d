"""The chart page's forms: the schema-driven chart itself, products, procedures, addenda.

The chart form is built from each procedure's copy of its schema, so it is not a
Django `Form` class: `chart_view` lays out what the template shows (every field
with its label, unit, range, value, reason and error), and `parse_chart` reads the
POST into what `save_chart` takes. Field names, for one procedure charted as `t7`:
`t7-energy_mj` (a session value), `t7-zone-forehead` (the zone is treated),
`t7-forehead-energy_mj` (a zone value) and `-reason` after any number's name.
Without JavaScript the zone table is the whole form; `static/js/chart.js` adds the
face map that ticks the same boxes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import AdverseEvent, FaceZone, ProductLot, ProductUsage, TreatmentVisit
from patients.models.treatment import (
    Anaesthesia,
    Bleeding,
    Erythema,
    Frosting,
    ParameterKind,
    ParameterScope,
    PrecareAnswer,
    PrecareCheck,
)
from procedures.models import Procedure

from .parameters import Parameter, format_value, parameters_of
from .services import TreatmentEntry

ErrorMap = Mapping[tuple[int, str, str], Any]


@dataclass
class FieldView:
    name: str
    parameter: Parameter
    value: Any
    reason: str = ""
    error: Any = None

    @property
    def label(self) -> str:
        return self.parameter.label

    @property
    def unit(self) -> str:
        return self.parameter.unit_label

    @property
    def is_number(self) -> bool:
        return self.parameter.kind == ParameterKind.NUMBER

    @property
    def kind(self) -> str:
        return self.parameter.kind

    @property
    def reason_name(self) -> str:
        return f"{self.name}-reason"

    @property
    def options(self) -> list[tuple[str, str]]:
        if self.parameter.kind == ParameterKind.BOOLEAN:
            return [("yes", str(_("Yes"))), ("no", str(_("No")))]
        return [(c.value, c.label) for c in self.parameter.choices]

    @property
    def selected(self) -> str:
        if self.value is True:
            return "yes"
        if self.value is False:
            return "no"
        return "" if self.value is None else str(self.value)

    @property
    def shown(self) -> str:
        return format_value(self.parameter, self.value)


@dataclass
class ZoneView:
    value: str
    label: str
    checkbox: str
    treated: bool
    fields: list[FieldView] = field(default_factory=list)
    error: Any = None


@dataclass
class TreatmentView:
    treatment: Any
    prefix: str
    session: list[FieldView]
    zone_parameters: list[Parameter]
    zones: list[ZoneView]

    @property
    def treated_zones(self) -> list[ZoneView]:
        return [zone for zone in self.zones if zone.treated]


def _prefix(treatment_id: int) -> str:
    return f"t{treatment_id}"


def _posted_value(data: Mapping[str, Any], name: str, parameter: Parameter) -> Any:
    raw = data.get(name, "")
    if parameter.kind == ParameterKind.BOOLEAN:
        return {"yes": True, "no": False}.get(raw, raw or None)
    return raw


def treatment_view(
    treatment: Any, *, data: Mapping[str, Any] | None = None, errors: ErrorMap | None = None
) -> TreatmentView:
    """What the template shows for one procedure: stored values, or the posted ones."""
    errors = errors or {}
    prefix = _prefix(treatment.pk)
    stored_zones = {zone.zone: zone for zone in treatment.zones.all()}

    def field_of(
        name: str,
        parameter: Parameter,
        values: Mapping[str, Any],
        reasons: Mapping[str, Any],
        zone: str,
    ) -> FieldView:
        if data is not None:
            value = _posted_value(data, name, parameter)
            reason = data.get(f"{name}-reason", "")
        else:
            value, reason = values.get(parameter.key), reasons.get(parameter.key, "")
        return FieldView(
            name, parameter, value, reason, errors.get((treatment.pk, zone, parameter.key))
        )

    session = [
        field_of(f"{prefix}-{p.key}", p, treatment.values, treatment.reasons, "")
        for p in parameters_of(treatment.schema, ParameterScope.PER_SESSION)
    ]
    per_zone = parameters_of(treatment.schema, ParameterScope.PER_ZONE)
    zones = []
    if per_zone:
        for value, label in FaceZone.choices:
            stored = stored_zones.get(value)
            checkbox = f"{prefix}-zone-{value}"
            treated = (checkbox in data) if data is not None else stored is not None
            zone_view = ZoneView(
                value, str(label), checkbox, treated, error=errors.get((treatment.pk, value, ""))
            )
            zone_view.fields = [
                field_of(
                    f"{prefix}-{value}-{p.key}",
                    p,
                    stored.values if stored else {},
                    stored.reasons if stored else {},
                    value,
                )
                for p in per_zone
            ]
            zones.append(zone_view)
    return TreatmentView(treatment, prefix, session, per_zone, zones)


def parse_chart(
    visit: TreatmentVisit, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[int, TreatmentEntry]]:
    """The chart form's POST as `save_chart`'s details and entries."""
    details = {
        "anaesthesia": data.get("anaesthesia", Anaesthesia.NONE),
        "precare": {check.value: data.get(f"precare-{check.value}", "") for check in PrecareCheck},
        "erythema": data.get("erythema", ""),
        "frosting": data.get("frosting", ""),
        "bleeding": data.get("bleeding", ""),
        "aftercare_given": data.get("aftercare_given", ""),
        "notes": data.get("notes", ""),
    }
    entries: dict[int, TreatmentEntry] = {}
    for treatment in visit.procedures.all():
        prefix = _prefix(treatment.pk)

        def read(names: list[tuple[str, Parameter]]) -> tuple[dict[str, Any], dict[str, Any]]:
            values = {p.key: _posted_value(data, name, p) for name, p in names}
            reasons = {p.key: data.get(f"{name}-reason", "") for name, p in names}
            return values, {k: v for k, v in reasons.items() if v}

        values, reasons = read(
            [
                (f"{prefix}-{p.key}", p)
                for p in parameters_of(treatment.schema, ParameterScope.PER_SESSION)
            ]
        )
        per_zone = parameters_of(treatment.schema, ParameterScope.PER_ZONE)
        zones = {}
        if per_zone:
            for zone in FaceZone.values:
                if f"{prefix}-zone-{zone}" in data:
                    zones[zone] = read([(f"{prefix}-{zone}-{p.key}", p) for p in per_zone])
        entries[treatment.pk] = TreatmentEntry(values=values, reasons=reasons, zones=zones)
    return details, entries


VISIT_CHOICES = {
    "anaesthesia": Anaesthesia.choices,
    "erythema": Erythema.choices,
    "frosting": Frosting.choices,
    "bleeding": Bleeding.choices,
    "precare": PrecareAnswer.choices,
}


def precare_view(visit: TreatmentVisit, data: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [
        {
            "name": f"precare-{check.value}",
            "label": check.label,
            "value": (
                data.get(f"precare-{check.value}", "")
                if data is not None
                else visit.precare.get(check.value, "")
            ),
        }
        for check in PrecareCheck
    ]


# --- the small forms -------------------------------------------------------------------------


def usable_lots(visit: TreatmentVisit) -> QuerySet[ProductLot]:
    """Lots in stock that have not expired on the session's date."""
    return (
        ProductLot.objects.select_related("product")
        .filter(expires_on__gte=visit.session_on, quantity_left__gt=0, product__is_active=True)
        .order_by("product__name", "expires_on")
    )


class LotChoiceField(forms.ModelChoiceField):
    """A lot named by its product, number and what is left of it."""

    def label_from_instance(self, obj: ProductLot) -> str:
        left = f"{obj.quantity_left.normalize()} {obj.product.get_unit_display()}"
        return f"{obj.product.name} — {obj.lot_number} ({left})"


class LotUseForm(forms.Form):
    lot = LotChoiceField(
        label=_("Lot"),
        queryset=ProductLot.objects.none(),
        required=False,
        empty_label=_("Type the lot number instead"),
    )
    lot_number = forms.CharField(
        label=_("Lot number (from the label)"), max_length=60, required=False
    )
    amount = forms.CharField(label=_("Amount used"), max_length=20)
    purpose = forms.ChoiceField(label=_("Used for"), choices=ProductUsage.Purpose.choices)
    zone = forms.ChoiceField(
        label=_("Zone"), choices=[("", _("Whole session")), *FaceZone.choices], required=False
    )
    treatment = forms.TypedChoiceField(label=_("Procedure"), coerce=int, required=False)

    def __init__(self, *args: Any, visit: TreatmentVisit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["lot"]).queryset = usable_lots(visit)
        cast(forms.ChoiceField, self.fields["treatment"]).choices = [
            (t.pk, t.procedure_name) for t in visit.procedures.all()
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("lot") and not (data.get("lot_number") or "").strip():
            self.add_error("lot", _("Choose a lot or type its number."))
        return data


class AddProcedureForm(forms.Form):
    procedure = forms.ModelChoiceField(
        label=_("Another procedure in this visit"), queryset=Procedure.objects.none()
    )

    def __init__(self, *args: Any, visit: TreatmentVisit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        charted = [t.procedure_id for t in visit.procedures.all()]
        cast(forms.ModelChoiceField, self.fields["procedure"]).queryset = Procedure.objects.filter(
            is_active=True
        ).exclude(pk__in=charted)


class AddendumForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=300)
    text = forms.CharField(label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 3}))


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=AdverseEvent.Kind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=AdverseEvent.Severity.choices)
    onset_on = forms.DateField(label=_("Onset"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    treatment_given = forms.CharField(
        label=_("Treatment given"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AdverseEvent.Outcome.choices)
    resolved_on = forms.DateField(
        label=_("Resolved on"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )


class TriageForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=AdverseEvent.Kind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=AdverseEvent.Severity.choices)
    treatment_given = forms.CharField(
        label=_("Treatment given"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class FollowUpForm(forms.Form):
    treatment_given = forms.CharField(
        label=_("Treatment given"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AdverseEvent.Outcome.choices)
    resolved_on = forms.DateField(
        label=_("Resolved on"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked again when it is stored."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProblemReportForm(forms.Form):
    """The patient's "something is wrong" form on their appointment page."""

    what = forms.CharField(
        label=_("What is wrong?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    since = forms.DateField(label=_("Since when?"), widget=forms.DateInput(attrs={"type": "date"}))
    photos = MultipleFileField(
        label=_("Photos (up to five)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the lot recalled?"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    end = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen period (the last 90 days by default), start before end."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=90)
        return (start, end) if start <= end else (end, start)
