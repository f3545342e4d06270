"""Identity's tables and queries."""
