"""edureg journal service."""
