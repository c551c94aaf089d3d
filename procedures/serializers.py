"""JSON shapes of the catalogue and screening API (v1)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .catalogue_data import PRICE_CURRENCY
from .models import Procedure, ProcedureRule
from .sessions import MAX_OTHER_SESSIONS
from .verdicts import Outcome


class ProcedureRuleSerializer(serializers.ModelSerializer):
    # A field called `label` shadows Field.label in the stubs; DRF's metaclass moves it
    # off the class into the declared fields.
    label = serializers.CharField(  # type: ignore[assignment]  # see above
        read_only=True, help_text="The rule's short name."
    )

    class Meta:
        model = ProcedureRule
        fields = ("code", "label", "severity", "window_days")


class ProcedureSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    price_currency = serializers.SerializerMethodField()
    rules = ProcedureRuleSerializer(many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Procedure
        fields = (
            "slug",
            "name",
            "description",
            "category",
            "category_label",
            "indicated_scar_types",
            "sessions_min",
            "sessions_max",
            "interval_min_days",
            "interval_max_days",
            "downtime",
            "booked_minutes",
            "buffer_minutes",
            "room_kind",
            "roles",
            "price_from",
            "price_currency",
            "precare",
            "aftercare",
            "repeatable",
            "recall_after_days",
            "url",
            "rules",
        )
        read_only_fields = fields

    def get_price_currency(self, obj: Procedure) -> str:
        return PRICE_CURRENCY


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false; DRF's own field also takes "yes", "1" and 1."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class OtherSessionSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="The other procedure's slug, e.g. `consultation`.")
    date = serializers.DateField(help_text="The session's date (ISO), before or after `on`.")
    done = StrictBooleanField(
        help_text="True: completed. False: booked and holding time (confirmed or pending review)."
    )


class ScreeningRequestSerializer(serializers.Serializer):
    procedure = serializers.SlugField(help_text="The procedure's slug, e.g. `hyaluronic-filler`.")
    answers = serializers.DictField(
        help_text=(
            "The complete intake answers (every key of the questionnaire; the pregnancy "
            "questions may be left out for non-female patients). Dates as ISO strings, "
            "sets as lists, a follow-up date that does not apply as null."
        ),
    )
    on = serializers.DateField(help_text="The procedure date (ISO).")
    last_session_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Date of the last completed session of this procedure, if any.",
    )
    sessions_done = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        help_text="Completed sessions in the current course.",
    )
    other_sessions = serializers.ListField(
        child=OtherSessionSerializer(),
        required=False,
        default=list,
        max_length=MAX_OTHER_SESSIONS,
        help_text=(
            "The patient's sessions of other procedures, on any date: washouts between "
            "procedures and prerequisites (a consultation first) are checked against them. "
            "Cancelled, declined and missed sessions are left out. Without them, a procedure "
            "that needs a consultation is blocked (`PREREQUISITE_MISSING`)."
        ),
    )

    def validate_sessions_done(self, value: Any) -> int:
        # DRF's IntegerField accepts "3" and 3.0; a count in JSON is a whole number.
        raw = (
            self.initial_data.get("sessions_done") if isinstance(self.initial_data, dict) else None
        )
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int)):
            raise serializers.ValidationError("A whole number is required.")
        return int(value)


class OtherSessionFindingSerializer(serializers.Serializer):
    procedure = serializers.SlugField()
    date = serializers.DateField()
    done = serializers.BooleanField()


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # as in ProcedureRuleSerializer
    absolute = serializers.BooleanField(help_text="True when this rule blocks the procedure.")
    patient_message = serializers.CharField()
    clinical_message = serializers.CharField()
    clears_on = serializers.DateField(
        allow_null=True, help_text="First date on which this rule stops firing, if time-bound."
    )
    session = OtherSessionFindingSerializer(
        allow_null=True, help_text="The other session a washout or prerequisite finding is about."
    )
    latest_date = serializers.DateField(
        allow_null=True,
        help_text="For a washout before a later session: the latest date that fits.",
    )
    remedy_procedure = serializers.SlugField(
        allow_null=True, help_text="A procedure to book first (a missing consultation)."
    )


class ScreeningResultSerializer(serializers.Serializer):
    procedure = serializers.SlugField()
    on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    blocking = serializers.ListField(child=serializers.CharField())
    flags = serializers.ListField(child=serializers.CharField())
    earliest_date = serializers.DateField(allow_null=True)
    remedy_procedure = serializers.SlugField(
        allow_null=True,
        help_text="Set when the way out is to book this procedure first (`consultation`): "
        "offer its times.",
    )
    findings = FindingSerializer(many=True)
    messages = serializers.ListField(
        child=serializers.CharField(), help_text="Patient sentences, blocking reasons first."
    )


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(
        required=False,
        help_text="The input field at fault, e.g. `answers.pregnant` (none for a body that is "
        "not JSON).",
    )
