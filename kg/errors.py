"""The project's own error types: each names the file and the place it concerns."""

from __future__ import annotations


class KGError(Exception):
    """Base of every error the project raises on purpose; the CLI prints it and exits non-zero."""

    def __init__(self, message: str, *, path: str | None = None, where: str | None = None) -> None:
        self.message = message
        self.path = path
        self.where = where  # "line 12", "field plan_year", "byte 4096" …
        super().__init__(str(self))

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.path, self.where) if p)
        return f"{place}: {self.message}" if place else self.message


class SourceError(KGError):
    """A source file or its metadata is unreadable, malformed or a duplicate."""


class ParseError(KGError):
    """The text of a source cannot be parsed into a document structure."""


class ValidationFailed(KGError):
    """The graph does not conform to the SHACL shapes."""

    def __init__(self, message: str, report: str) -> None:
        self.report = report
        super().__init__(message)


class StoreError(KGError):
    """The store cannot be opened, written or swapped."""


class QueryError(KGError):
    """A SPARQL query is malformed or not allowed."""
