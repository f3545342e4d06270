"""Local development stack: `make run`."""
