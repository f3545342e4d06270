"""Pure rules of the journal (membership periods; later marks, locks)."""
