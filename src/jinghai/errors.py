"""One error tree for the whole platform.

Domain code raises these; ``web`` turns them into a page or ``{"detail": ...}`` with the
status below, and the CLI into a message and an exit code.
"""

from __future__ import annotations


class JinghaiError(Exception):
    status_code = 400
    exit_code = 1

    def __init__(self, message: str, *, details: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(JinghaiError):
    status_code = 422
    exit_code = 2


class NotAuthenticated(JinghaiError):
    status_code = 401
    exit_code = 3


class PermissionDenied(JinghaiError):
    status_code = 403
    exit_code = 3


class NotFound(JinghaiError):
    status_code = 404
    exit_code = 4


class Conflict(JinghaiError):
    status_code = 409
    exit_code = 5


class TooManyRequests(JinghaiError):
    status_code = 429
    exit_code = 6


__all__ = [
    "Conflict",
    "InvalidInput",
    "JinghaiError",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "TooManyRequests",
]
