"""Madangan: an open-source command center for Indonesian regional governments."""

__version__ = "0.1.0"
