# ruff: noqa: RUF003 - the comment quotes Russian dates (Cyrillic on purpose).
"""Russian formats that differ from Django's."""

# A day and its month take the genitive, in lower case: "1 июня", not "1 Июнь".
MONTH_DAY_FORMAT = "j E"
# No "г." after the year: Django's "3 июня 2026 г." ends in an abbreviation point, and a
# sentence that ends with a date then ends in "г.." ("Возможно с 3 июня 2026 г..") in
# every message that puts its full stop after the date (some forty of them, in three
# catalogues). "3 июня 2026" is as correct, and no translation has to know the format.
DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, G:i"
YEAR_MONTH_FORMAT = "F Y"
