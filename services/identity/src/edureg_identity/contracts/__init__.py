"""Events identity publishes and the tolerant views of those it consumes."""
