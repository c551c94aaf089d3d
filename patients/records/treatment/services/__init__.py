"""Writes of the treatment record, one module per subject, re-exported here."""

from .charts import (
    ChartErrors,
    TreatmentEntry,
    add_procedure,
    aftercare_template,
    clear_zone,
    open_chart,
    record_is_locked,
    record_session_values,
    record_visit_details,
    record_zone_values,
    save_chart,
)
from .events import record_adverse_event, report_problem, triage_event, update_event
from .lock import lock_record_for_erasure
from .lots import RECALL_MESSAGE_KIND, find_lot, recall_lot, remove_lot_usage, use_lot
from .signing import (
    SigningCondition,
    add_addendum,
    can_sign,
    sign_chart,
    signing_condition,
    signing_problems,
)

__all__ = [
    "RECALL_MESSAGE_KIND",
    "ChartErrors",
    "SigningCondition",
    "TreatmentEntry",
    "add_addendum",
    "add_procedure",
    "aftercare_template",
    "can_sign",
    "clear_zone",
    "find_lot",
    "lock_record_for_erasure",
    "open_chart",
    "recall_lot",
    "record_adverse_event",
    "record_is_locked",
    "record_session_values",
    "record_visit_details",
    "record_zone_values",
    "remove_lot_usage",
    "report_problem",
    "save_chart",
    "sign_chart",
    "signing_condition",
    "signing_problems",
    "triage_event",
    "update_event",
    "use_lot",
]
