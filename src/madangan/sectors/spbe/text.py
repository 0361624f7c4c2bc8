"""Bahasa Indonesia first, English when MADANGAN_LANG=en; and the Living Lab's refusals."""

from __future__ import annotations

from madangan.errors import UserError
from madangan.i18n import current_language


def tr(id_text: str, en_text: str) -> str:
    return en_text if current_language() == "en" else id_text


class Refused(UserError):
    """A refusal with the HTTP status the web answers with (400 bad input, 403, 404, 409 wrong state)."""

    def __init__(self, message: str, code: int = 400):
        super().__init__(message)
        self.code = code
