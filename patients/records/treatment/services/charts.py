"""Filling in a chart: opening it, adding a procedure, recording values zone by zone.

Domain rules:
- A practitioner (or a manager) opens the chart of an appointment once the patient
  is checked in, never before; opening it again returns the same chart (one per
  appointment). It starts with the appointment's procedure, its parameter schema
  copied as it stands, and the after-care template of the procedure in the
  patient's language (editable).
- A second procedure done in the same visit is screened like a booking, on the
  session's date, with the patient's current intake and history: `blocked` refuses
  it (`screening_blocked`, with the reasons); `review` adds it with its flags kept
  (the practitioner deciding is in the room). It also needs a practitioner who may
  perform it and the patient's signed consent of its category, as a booking does.
- Values are checked against the chart's copy of the schema as they are saved
  (`records.treatment.parameters`): type, decimals, range (out of range needs a
  reason); required values are asked for only at signing.
- Nothing changes once the chart is signed (`chart_signed`) or once an erasure
  request locked the patient's record (`record_locked`). Each write locks the
  chart's row, so two tablets saving at once queue up instead of losing a write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from clinic.models import User
from patients.models import (
    Appointment,
    FaceZone,
    ParameterSchema,
    PatientProfile,
    RecordLock,
    TreatmentProcedure,
    TreatmentVisit,
    TreatmentZone,
)
from patients.models.treatment import (
    Anaesthesia,
    Bleeding,
    Erythema,
    Frosting,
    ParameterScope,
    PrecareAnswer,
    PrecareCheck,
)
from procedures.errors import lazy_interpolate
from procedures.models import Procedure
from procedures.screening import rules_for, screen

from .. import adapters
from ..access import require_clinician
from ..errors import ChartSigned, RecordError, RecordLocked
from ..parameters import ParameterErrors, check_values, parameters_of

__all__ = [
    "ChartErrors",
    "TreatmentEntry",
    "add_procedure",
    "aftercare_template",
    "clear_zone",
    "lock_visit",
    "open_chart",
    "record_session_values",
    "record_visit_details",
    "record_zone_values",
    "require_editable",
    "save_chart",
]


def record_is_locked(patient: PatientProfile | int) -> bool:
    """Has an erasure request locked the patient's record (until its retention ends)?"""
    patient_id = patient if isinstance(patient, int) else patient.pk
    return RecordLock.objects.filter(
        patient_id=patient_id, locked_until__gte=timezone.localdate()
    ).exists()


def lock_visit(visit: TreatmentVisit) -> TreatmentVisit:
    """The chart's row, locked for this transaction, read again."""
    return TreatmentVisit.objects.select_for_update().select_related("appointment").get(pk=visit.pk)


def require_editable(visit: TreatmentVisit) -> None:
    """Refuse a change to a signed chart, or to a locked record."""
    if visit.is_signed:
        raise ChartSigned()
    if record_is_locked(visit.patient_id):
        raise RecordLocked()


def _schema_of(procedure: Procedure) -> tuple[list[dict[str, Any]], int]:
    schema = (
        ParameterSchema.objects.filter(procedure=procedure).prefetch_related("definitions").first()
    )
    return (schema.snapshot(), schema.version) if schema is not None else ([], 0)


def _add_treatment(
    visit: TreatmentVisit,
    procedure: Procedure,
    *,
    by: User,
    is_booked: bool,
    outcome: str,
    flags: list[str],
) -> TreatmentProcedure:
    schema, version = _schema_of(procedure)
    treatment = TreatmentProcedure(
        visit=visit,
        procedure=procedure,
        procedure_name_en=procedure.name_en or procedure.name,
        procedure_name_ru=procedure.name_ru or "",
        is_booked=is_booked,
        schema=schema,
        schema_version=version,
        screening_outcome=outcome,
        screening_flags=flags,
        added_by=by,
    )
    treatment.full_clean()
    treatment.save()
    return treatment


def aftercare_template(procedure: Procedure, patient: PatientProfile) -> str:
    """The after-care a new chart starts from: the procedure's, in the patient's language
    (the patient reads it on their visit's page)."""
    language = patient.user.preferred_language or "en"
    with translation.override(language):
        return procedure.aftercare or ""


def open_chart(*, appointment: Appointment, by: User) -> TreatmentVisit:
    """Open the appointment's chart (or return it); the patient must be checked in."""
    require_clinician(by)
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .select_related("procedure", "patient__user")
            .get(pk=appointment.pk)
        )
        existing = TreatmentVisit.objects.filter(appointment=appointment).first()
        if existing is not None:
            return existing
        if appointment.status != Appointment.Status.CHECKED_IN:
            raise RecordError(
                _("A chart is opened once the patient is checked in."), code="not_checked_in"
            )
        if record_is_locked(appointment.patient_id):
            raise RecordLocked()
        procedure = appointment.procedure
        visit = TreatmentVisit(
            appointment=appointment,
            patient=appointment.patient,
            practitioner_id=appointment.practitioner_id,
            session_on=adapters.local_date(appointment.start),
            opened_by=by,
            aftercare_given=aftercare_template(procedure, appointment.patient),
        )
        visit.full_clean()
        visit.save()
        _add_treatment(
            visit,
            procedure,
            by=by,
            is_booked=True,
            outcome=appointment.screening_outcome,
            flags=list(appointment.screening_flags),
        )
    return visit


def _screen_added(visit: TreatmentVisit, procedure: Procedure) -> tuple[str, list[str]]:
    """Screen a procedure added in the visit as a booking is screened; refuse a blocked one."""
    inputs = adapters.screening_inputs(visit.patient, procedure.slug, on=visit.session_on)
    if inputs.answers is None or not inputs.intake_current:
        raise RecordError(
            _("The patient's health questionnaire must be current before another procedure."),
            code="intake_required",
            field="procedure",
        )
    result = screen(
        rules_for(procedure.slug),
        inputs.answers,
        on=visit.session_on,
        last_session_on=inputs.last_session_on,
        sessions_done=inputs.sessions_done,
        other_sessions=inputs.other_sessions,
    )
    if result.blocked:
        reasons = "; ".join(str(message) for message in result.messages if message)
        raise RecordError(
            lazy_interpolate(
                _("Screening blocks this procedure today: %(reasons)s"), {"reasons": reasons}
            ),
            code="screening_blocked",
            field="procedure",
        )
    return result.outcome, list(result.flags)


def add_procedure(*, visit: TreatmentVisit, procedure: Procedure, by: User) -> TreatmentProcedure:
    """Add a second procedure done in the same visit, screened like a booking."""
    require_clinician(by)
    with transaction.atomic():
        visit = lock_visit(visit)
        require_editable(visit)
        if visit.procedures.filter(procedure=procedure).exists():
            raise RecordError(
                _("This procedure is already on the chart."),
                code="already_charted",
                field="procedure",
            )
        if not visit.practitioner.can_perform(procedure):
            raise RecordError(
                _("The visit's practitioner does not perform this procedure."),
                code="practitioner_not_qualified",
                field="procedure",
            )
        if not adapters.has_consent(visit.patient, procedure.category):
            raise RecordError(
                _("The patient has not signed the consent for this kind of procedure."),
                code="consent_required",
                field="procedure",
            )
        outcome, flags = _screen_added(visit, procedure)
        treatment = _add_treatment(
            visit, procedure, by=by, is_booked=False, outcome=outcome, flags=flags
        )
        _touch(visit)
    return treatment


def _touch(visit: TreatmentVisit) -> None:
    visit.updated_at = timezone.now()
    visit.save(update_fields=["updated_at"])


def _locked_treatment(treatment: TreatmentProcedure) -> tuple[TreatmentVisit, TreatmentProcedure]:
    visit = lock_visit(treatment.visit)
    require_editable(visit)
    return visit, TreatmentProcedure.objects.get(pk=treatment.pk)


def record_zone_values(
    *,
    treatment: TreatmentProcedure,
    zone: str,
    values: Mapping[str, Any],
    reasons: Mapping[str, Any] | None = None,
    by: User,
) -> TreatmentZone:
    """Mark `zone` treated by the procedure with its values (replacing earlier ones)."""
    require_clinician(by)
    if zone not in FaceZone.values:
        raise RecordError(_("Choose a zone of the face map."), code="unknown_zone", field="zone")
    with transaction.atomic():
        visit, treatment = _locked_treatment(treatment)
        checked = check_values(
            parameters_of(treatment.schema, ParameterScope.PER_ZONE), values, reasons
        )
        row, _created = TreatmentZone.objects.update_or_create(
            treatment=treatment,
            zone=zone,
            defaults={
                "values": checked.values,
                "reasons": checked.reasons,
                "updated_at": timezone.now(),
            },
        )
        _touch(visit)
    return row


def clear_zone(*, treatment: TreatmentProcedure, zone: str, by: User) -> None:
    """Untick a zone marked by mistake (only before signing, and with no product used there)."""
    require_clinician(by)
    with transaction.atomic():
        visit, treatment = _locked_treatment(treatment)
        if treatment.product_usages.filter(zone=zone).exists():
            raise RecordError(
                _("Remove the product used in this zone first."),
                code="zone_has_products",
                field="zone",
            )
        TreatmentZone.objects.filter(treatment=treatment, zone=zone).delete()
        _touch(visit)


def record_session_values(
    *,
    treatment: TreatmentProcedure,
    values: Mapping[str, Any],
    reasons: Mapping[str, Any] | None = None,
    by: User,
) -> TreatmentProcedure:
    """Record the procedure's values for the whole session (device, mode, agent...)."""
    require_clinician(by)
    with transaction.atomic():
        visit, treatment = _locked_treatment(treatment)
        checked = check_values(
            parameters_of(treatment.schema, ParameterScope.PER_SESSION), values, reasons
        )
        treatment.values = checked.values
        treatment.reasons = checked.reasons
        treatment.full_clean()
        treatment.save(update_fields=["values", "reasons"])
        _touch(visit)
    return treatment


def _clean_precare(precare: Mapping[str, Any]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for key, answer in precare.items():
        if key not in PrecareCheck.values:
            raise RecordError(_("Unknown pre-care check."), code="invalid_precare", field="precare")
        if answer in (None, ""):
            continue
        if answer not in PrecareAnswer.values:
            raise RecordError(
                _("Answer each pre-care check with yes, no or not applicable."),
                code="invalid_precare",
                field="precare",
            )
        clean[key] = answer
    return clean


def record_visit_details(
    *,
    visit: TreatmentVisit,
    by: User,
    anaesthesia: str = Anaesthesia.NONE,
    precare: Mapping[str, Any] | None = None,
    erythema: str = "",
    frosting: str = "",
    bleeding: str = "",
    aftercare_given: str = "",
    notes: str = "",
) -> TreatmentVisit:
    """Record what is noted once per visit: anaesthesia, pre-care, skin response, after-care."""
    require_clinician(by)
    choices = {
        "anaesthesia": (anaesthesia, Anaesthesia.values),
        "erythema": (erythema, ["", *Erythema.values]),
        "frosting": (frosting, ["", *Frosting.values]),
        "bleeding": (bleeding, ["", *Bleeding.values]),
    }
    for name, (value, allowed) in choices.items():
        if value not in allowed:
            raise RecordError(_("Choose one of the options."), code="invalid_choice", field=name)
    with transaction.atomic():
        visit = lock_visit(visit)
        require_editable(visit)
        visit.anaesthesia = anaesthesia
        visit.precare = _clean_precare(precare or {})
        visit.erythema = erythema
        visit.frosting = frosting
        visit.bleeding = bleeding
        visit.aftercare_given = aftercare_given.strip()
        visit.notes = notes.strip()
        visit.updated_at = timezone.now()
        visit.full_clean()
        visit.save()
    return visit


@dataclass(frozen=True)
class TreatmentEntry:
    """What the chart form posts for one procedure of the visit."""

    values: Mapping[str, Any]
    reasons: Mapping[str, Any]
    # Each treated zone with (values, reasons); a zone left out is not treated.
    zones: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]]


class ChartErrors(RecordError):
    """Values of the chart form broke their schemas; nothing was saved.

    `errors` maps (treatment id, zone or "", parameter key) to the message.
    """

    def __init__(self, errors: dict[tuple[int, str, str], Any]) -> None:
        super().__init__(_("Some values need correcting."), code="invalid_parameters")
        self.errors = errors


def _check_entry(
    treatment: TreatmentProcedure, entry: TreatmentEntry, errors: dict[tuple[int, str, str], Any]
) -> None:
    checks: list[tuple[str, Any, Mapping[str, Any], Mapping[str, Any]]] = [
        ("", ParameterScope.PER_SESSION, entry.values, entry.reasons),
        *((zone, ParameterScope.PER_ZONE, v, r) for zone, (v, r) in entry.zones.items()),
    ]
    for zone, scope, values, reasons in checks:
        if zone and zone not in FaceZone.values:
            errors[(treatment.pk, zone, "")] = _("Choose a zone of the face map.")
            continue
        try:
            check_values(parameters_of(treatment.schema, scope), values, reasons)
        except ParameterErrors as error:
            for key, message in error.errors.items():
                errors[(treatment.pk, zone, key)] = message


def save_chart(
    *,
    visit: TreatmentVisit,
    by: User,
    details: Mapping[str, Any],
    entries: Mapping[int, TreatmentEntry],
) -> TreatmentVisit:
    """Save the whole chart form at once: visit details, and each procedure's values.

    Every value is checked before anything is written (`ChartErrors` names each
    wrong one); zones no longer ticked are cleared.
    """
    require_clinician(by)
    with transaction.atomic():
        visit = lock_visit(visit)
        require_editable(visit)
        treatments = {t.pk: t for t in visit.procedures.all()}
        errors: dict[tuple[int, str, str], Any] = {}
        for treatment_id, entry in entries.items():
            if treatment_id not in treatments:
                raise RecordError(_("This procedure is not on the chart."), code="not_on_chart")
            _check_entry(treatments[treatment_id], entry, errors)
        if errors:
            raise ChartErrors(errors)
        visit = record_visit_details(visit=visit, by=by, **details)
        for treatment_id, entry in entries.items():
            treatment = treatments[treatment_id]
            record_session_values(
                treatment=treatment, values=entry.values, reasons=entry.reasons, by=by
            )
            for zone, (values, reasons) in entry.zones.items():
                record_zone_values(
                    treatment=treatment, zone=zone, values=values, reasons=reasons, by=by
                )
            for zone in treatment.zones.exclude(zone__in=list(entry.zones)).values_list(
                "zone", flat=True
            ):
                clear_zone(treatment=treatment, zone=zone, by=by)
    return visit
