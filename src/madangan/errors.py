"""Errors a user can act on: shown as one line, never as a traceback."""


class UserError(Exception):
    """Bad input or environment; the message says what is wrong and what to do."""
