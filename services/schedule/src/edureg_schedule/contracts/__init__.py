"""Events schedule publishes."""
