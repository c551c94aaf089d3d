"""Checking a chart's values against a procedure's parameter schema (pure: no database).

Domain rules:
- A schema is a list of parameters (the plain data `ParameterDefinition.as_dict()`
  gives, as a chart keeps it): a key, a name in English and Russian, a kind (number,
  choice, text, yes/no), a scope (for each zone, or once for the session), and for
  numbers a unit, a usual range and the decimal places allowed.
- A number is given as a number or as text ("0,5" as Russians write it is 0.5); it is
  stored as text, exactly as read, so no float ever rounds a setting. At most the
  schema's decimal places; 0 means a whole number.
- A value outside the usual range is kept only with a reason (a laser run hotter on
  purpose is a decision the chart must explain); a reason given for a value inside
  the range is dropped.
- While a chart is being filled in, missing values are fine; `complete=True` (signing)
  asks for every required one as well.
- Unknown keys are refused: a value the schema does not name would never be shown.
Errors come back all at once, keyed by parameter, in `ParameterErrors.errors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from patients.models.treatment import ParameterKind, Unit
from procedures.errors import DomainError, lazy_interpolate

__all__ = [
    "Checked",
    "Parameter",
    "ParameterErrors",
    "check_values",
    "format_value",
    "missing_required",
    "parameters_of",
]

MAX_TEXT = 500
MAX_REASON = 300
# Settings are small numbers; anything past this is a typing slip, not a setting.
LARGEST = Decimal("10000000")
TRUE_WORDS = frozenset({"true", "yes", "on", "1", "да"})
FALSE_WORDS = frozenset({"false", "no", "off", "0", "нет"})


def _russian() -> bool:
    return (get_language() or "en").startswith("ru")


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label_en: str
    label_ru: str

    @property
    def label(self) -> str:
        return self.label_ru if _russian() and self.label_ru else self.label_en


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of a schema, read from its plain data."""

    key: str
    label_en: str
    kind: str
    scope: str
    label_ru: str = ""
    unit: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    decimal_places: int = 2
    choices: tuple[Choice, ...] = ()
    required: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Parameter:
        def number(value: Any) -> Decimal | None:
            return None if value in (None, "") else Decimal(str(value))

        return cls(
            key=data["key"],
            label_en=data["label_en"],
            label_ru=data.get("label_ru") or "",
            kind=data["kind"],
            scope=data["scope"],
            unit=data.get("unit") or "",
            minimum=number(data.get("minimum")),
            maximum=number(data.get("maximum")),
            decimal_places=int(data.get("decimal_places", 2)),
            choices=tuple(
                Choice(str(c["value"]), str(c.get("en") or c["value"]), str(c.get("ru") or ""))
                for c in data.get("choices") or ()
            ),
            required=bool(data.get("required")),
        )

    @property
    def label(self) -> str:
        return self.label_ru if _russian() and self.label_ru else self.label_en

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label) if self.unit in Unit.values else self.unit

    @property
    def range_text(self) -> str:
        """The usual range with its unit, e.g. "5-70 mJ" (empty when there is none)."""
        if self.minimum is None and self.maximum is None:
            return ""
        low = "" if self.minimum is None else _number(self.minimum)
        high = "" if self.maximum is None else _number(self.maximum)
        text = f"{low}\u2013{high}" if low and high else (f"≥ {low}" if low else f"≤ {high}")
        return f"{text} {self.unit_label}".strip()

    def choice_label(self, value: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return value


def _number(value: Decimal) -> str:
    return number_format(value.normalize(), use_l10n=True)


def parameters_of(schema: Iterable[Mapping[str, Any]], scope: str | None = None) -> list[Parameter]:
    """The schema's parameters (of one scope when given), in their order."""
    parameters = [Parameter.from_dict(item) for item in schema]
    return [p for p in parameters if scope is None or p.scope == scope]


@dataclass(frozen=True)
class Checked:
    """Clean values (JSON-ready), the reasons kept, and the keys out of their range."""

    values: dict[str, Any]
    reasons: dict[str, str]
    out_of_range: tuple[str, ...] = ()


class ParameterErrors(DomainError):
    """Some values broke the schema; `errors` maps each key to its message."""

    def __init__(self, errors: dict[str, str | Promise]) -> None:
        first = next(iter(errors))
        super().__init__(errors[first], code="invalid_parameters", field=first)
        self.errors = errors

    def __str__(self) -> str:
        return "; ".join(f"{key}: {message}" for key, message in self.errors.items())


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_number(parameter: Parameter, raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal, str)):
        raise ValueError(_("Give a number."))
    text = raw.strip().replace(" ", "").replace("\u00a0", "") if isinstance(raw, str) else str(raw)
    text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Give a number.")) from None
    if not value.is_finite() or abs(value) >= LARGEST:
        raise ValueError(_("Give a number."))
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > parameter.decimal_places:
        if parameter.decimal_places == 0:
            raise ValueError(_("Give a whole number."))
        raise ValueError(
            lazy_interpolate(
                _("Give at most %(places)s decimal places."), {"places": parameter.decimal_places}
            )
        )
    return value


def _read(parameter: Parameter, raw: Any) -> Any:
    """The clean JSON-ready value of `raw`, or ValueError with the message to show."""
    kind = parameter.kind
    if kind == ParameterKind.NUMBER:
        return _read_number(parameter, raw)
    if kind == ParameterKind.CHOICE:
        if not isinstance(raw, str) or raw not in {c.value for c in parameter.choices}:
            raise ValueError(_("Choose one of the options."))
        return raw
    if kind == ParameterKind.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        word = raw.strip().lower() if isinstance(raw, str) else None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("Answer yes or no."))
    if kind == ParameterKind.TEXT:
        if not isinstance(raw, str):
            raise ValueError(_("Give a text."))
        if len(raw.strip()) > MAX_TEXT:
            raise ValueError(
                lazy_interpolate(
                    ngettext_lazy(
                        "Keep it under %(count)s character.",
                        "Keep it under %(count)s characters.",
                        MAX_TEXT,
                    ),
                    {"count": MAX_TEXT},
                )
            )
        return raw.strip()
    raise ValueError(_("This parameter's kind is unknown."))  # a schema edited by hand


def _outside(parameter: Parameter, value: Decimal) -> bool:
    return (parameter.minimum is not None and value < parameter.minimum) or (
        parameter.maximum is not None and value > parameter.maximum
    )


def check_values(
    parameters: Iterable[Parameter],
    values: Mapping[str, Any],
    reasons: Mapping[str, Any] | None = None,
    *,
    complete: bool = False,
) -> Checked:
    """Check `values` (and the reasons for values out of range) against `parameters`.

    Raise ParameterErrors naming every key that is wrong; with `complete`, a missing
    required value is wrong too.
    """
    by_key = {p.key: p for p in parameters}
    reasons = reasons or {}
    errors: dict[str, str | Promise] = {}
    clean: dict[str, Any] = {}
    kept_reasons: dict[str, str] = {}
    outside: list[str] = []
    for key in values:
        if key not in by_key:
            errors[str(key)[:40]] = _("This parameter is not part of the procedure's schema.")
    for key, parameter in by_key.items():
        raw = values.get(key)
        if _empty(raw):
            if complete and parameter.required:
                errors[key] = _("This value is required.")
            continue
        try:
            value = _read(parameter, raw)
        except ValueError as error:
            errors[key] = error.args[0]
            continue
        if isinstance(value, Decimal):
            reason = reasons.get(key)
            reason = reason.strip() if isinstance(reason, str) else ""
            if _outside(parameter, value):
                if not reason:
                    errors[key] = lazy_interpolate(
                        _("Outside the usual range (%(range)s): give a reason."),
                        {"range": parameter.range_text},
                    )
                    continue
                if len(reason) > MAX_REASON:
                    errors[key] = lazy_interpolate(
                        ngettext_lazy(
                            "Keep the reason under %(count)s character.",
                            "Keep the reason under %(count)s characters.",
                            MAX_REASON,
                        ),
                        {"count": MAX_REASON},
                    )
                    continue
                kept_reasons[key] = reason
                outside.append(key)
            value = str(value)
        clean[key] = value
    if errors:
        raise ParameterErrors(errors)
    return Checked(values=clean, reasons=kept_reasons, out_of_range=tuple(outside))


def missing_required(parameters: Iterable[Parameter], values: Mapping[str, Any]) -> list[str]:
    """The keys of required parameters without a value."""
    return [p.key for p in parameters if p.required and _empty(values.get(p.key))]


def format_value(parameter: Parameter, value: Any) -> str:
    """A stored value as the chart shows it, with its unit: "40 mJ", "Yes", "Cannula"."""
    if _empty(value):
        return ""
    if parameter.kind == ParameterKind.NUMBER:
        try:
            number = _number(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
        return f"{number} {parameter.unit_label}".strip()
    if parameter.kind == ParameterKind.BOOLEAN:
        return str(_("Yes") if value is True else _("No"))
    if parameter.kind == ParameterKind.CHOICE:
        return parameter.choice_label(str(value))
    return str(value)
