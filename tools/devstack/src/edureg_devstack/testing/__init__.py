"""Pytest support: real PostgreSQL and NATS started once per test run, per-test copies."""
