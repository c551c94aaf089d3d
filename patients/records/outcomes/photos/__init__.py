"""Session photos that compare (issue #18): standard views, the capture page with the
ghost overlay, the required-photos gate on signing, and comparisons of two sessions.

Other packages use (from the modules named):
- `selectors`: latest_comparison(patient) (the progress page), compare_sessions,
  photo_sessions, missing_before_views, ghost_photo;
- `services`: take_session_photo;
- `gate`: registers "before photos taken" with the chart's signing conditions.
"""
