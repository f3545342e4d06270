"""edureg identity service."""
