"""Operator tools: what production needs besides the services themselves."""
