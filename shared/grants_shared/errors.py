"""Application errors: what a use case raises when it refuses, with a stable `code` and no knowledge of HTTP.

Use cases, consumers and the CLI raise these; the one handler in `grants_shared.http.problems` turns each into an
RFC 9457 problem (the kind decides the status), so a use case can be called from a route, a consumer or a test alike.
"""

from typing import Any, ClassVar


class AppError(Exception):
    """A refusal with a stable `code`, a human `title` and a `detail`; `extra` joins the problem body."""

    default_code: ClassVar[str] = "invalid"
    default_title: ClassVar[str] = "The request cannot be done"

    def __init__(self, detail: str = "", code: str | None = None, title: str | None = None, **extra: Any) -> None:
        super().__init__(detail or title or self.default_title)
        self.code = code or self.default_code
        self.title = title or self.default_title
        self.detail = detail
        self.extra = extra


class NotFound(AppError):
    """The thing does not exist, or the caller may not know that it does."""

    default_code = "not-found"
    default_title = "Not found"


class Conflict(AppError):
    """The request conflicts with the current state (a move the lifecycle refuses, a duplicate)."""

    default_code = "conflict"
    default_title = "Conflicts with the current state"


class Invalid(AppError):
    """The request is well-formed but breaks a rule of the domain."""

    default_code = "invalid"
    default_title = "The request breaks a rule"


class Forbidden(AppError):
    """The caller's role or organisation may not do this."""

    default_code = "forbidden"
    default_title = "Your role may not do this"
