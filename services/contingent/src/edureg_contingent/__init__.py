"""edureg contingent service."""
