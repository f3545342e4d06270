"""Identity's use cases. They never commit: the caller's unit of work does."""
