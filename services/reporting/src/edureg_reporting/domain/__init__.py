"""What reports count, as pure functions of the projected rows (no I/O)."""
