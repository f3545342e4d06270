"""edureg schedule service."""
