"""The world of a class with marks (test_group_sheets.py), for the other modules too."""

from .test_group_sheets import world

__all__ = ["world"]
