"""Tolerant views of the events reporting consumes (it publishes none yet)."""
