"""edureg portal service."""
