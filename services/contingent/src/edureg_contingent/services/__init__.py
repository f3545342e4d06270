"""Use cases: one async function per command. They never commit: the caller's unit of work does."""
