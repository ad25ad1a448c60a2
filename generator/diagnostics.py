"""Errors are values: a level, where (a JSON path, file or URL), what, and what happens next."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding. `where` is a JSON path (`#/definitions/X/properties/y`), a file or a URL."""

    where: str
    message: str
    level: Level = Level.ERROR
    action: str = ""

    def __str__(self) -> str:
        text = f"{self.level.value}: {self.where}: {self.message}"
        return f"{text} ({self.action})" if self.action else text


class GenerateError(Exception):
    """Stops generation; carries the diagnostics that explain why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


def grouped(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Equal findings (same level, message and action) at many places as one, shown at the
    first place with how many there are; order is by first place."""
    places: dict[tuple[Level, str, str], list[str]] = {}
    for d in sorted(diagnostics):
        places.setdefault((d.level, d.message, d.action), []).append(d.where)
    out = []
    for (level, message, action), wheres in places.items():
        if len(wheres) > 1:
            action = f"{len(wheres)} places, first shown" + (f"; {action}" if action else "")
        out.append(Diagnostic(wheres[0], message, level, action))
    return sorted(out)


def fail(where: str, message: str) -> GenerateError:
    """One error as an exception, for stages that cannot go on."""
    return GenerateError([Diagnostic(where, message)])


def json_path(*parts: str) -> str:
    """A JSON pointer-style path from its parts, escaped as RFC 6901 asks."""
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_key(escaped: str) -> str:
    """A key from its JSON-pointer form (`a~1b` is `a/b`): how a `$ref` names a definition."""
    return escaped.replace("~1", "/").replace("~0", "~")
