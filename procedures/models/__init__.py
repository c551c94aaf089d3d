"""The catalogue's models: procedures and their rules, washouts and prerequisites."""

from .care import CareInstruction
from .catalogue import (
    Procedure,
    ProcedureRule,
    load_session_rules,
    session_rules_cache,
    validate_roles,
    validate_scar_types,
)
from .choices import Severity
from .photos import PhotoView, views_of
from .sessions import Prerequisite, WashoutGroup, WashoutRule

__all__ = [
    "CareInstruction",
    "PhotoView",
    "Prerequisite",
    "Procedure",
    "ProcedureRule",
    "Severity",
    "WashoutGroup",
    "WashoutRule",
    "load_session_rules",
    "session_rules_cache",
    "validate_roles",
    "validate_scar_types",
    "views_of",
]
