"""Resident consultations: surveys, their responses, results with small numbers suppressed, and feeds into the plan."""
