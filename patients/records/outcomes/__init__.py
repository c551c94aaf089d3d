"""Outcomes (issue #18): graded scars, session photos that compare, publication consent,
the patient's self-assessment and progress, and the manager's outcomes report.

It sits next to the treatment record (`patients.records.treatment`): a grading and the
session photos belong to a visit, and the chart's "can it be signed?" asks them.
"""
