"""edureg reporting service."""
