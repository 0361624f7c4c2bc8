"""Errors a user can act on: shown as one line, never as a traceback."""


class UserError(Exception):
    """Bad input or environment; the message says what is wrong and what to do."""


class NotFound(UserError):
    """The thing asked for does not exist (HTTP 404)."""


class OutOfScope(UserError):
    """The thing exists but lies outside the caller's region or sectors (HTTP 403)."""


class Conflict(UserError):
    """The request is valid but the current state does not allow it (HTTP 409)."""
