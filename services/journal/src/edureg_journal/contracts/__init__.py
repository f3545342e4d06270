"""Events journal publishes and the tolerant views of the events it consumes."""
