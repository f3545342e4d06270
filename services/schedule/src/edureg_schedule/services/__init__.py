"""Use cases of schedule; they never commit."""
