"""Read models fed by events; reporting publishes nothing yet."""
