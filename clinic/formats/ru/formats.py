"""Russian formats that differ from Django's."""

# A day and its month take the genitive, in lower case: "1 июня", not "1 Июнь".
MONTH_DAY_FORMAT = "j E"
