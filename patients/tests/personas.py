"""Persona fixtures for patients: `patient` (alice) and `other_patient` (bob)."""
