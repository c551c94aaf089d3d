"""The treatment record (issue #17): what was done in the chair, with which product and
settings, and what happened after.

Other packages use this surface (imported from the modules named):
- `services`: open_chart, add_procedure, record_zone_values, record_session_values,
  record_visit_details, use_lot, sign_chart, add_addendum, record_adverse_event,
  report_problem, triage_event, update_event, recall_lot, lock_record_for_erasure;
  `signing_problems(visit)` / `can_sign(visit)` answer "can this chart be signed?",
  and `signing_condition(func)` adds a condition to it (outcomes, #18);
- `selectors`: chart_for_appointment, charts_of_patient, signed_appointment_ids,
  lot_recipients(_csv), find_lots, lots_needing_attention, events_to_triage;
- `parameters`: checking values against a procedure's schema (pure).
"""
