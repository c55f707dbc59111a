"""The exceptions of the portsim package: the command line's diagnostics as
Python values.

``ScenarioError`` is every user error the command line ends with exit code 2
(a scenario, study, log or patch it cannot read, a bad ``--set``, a broken
limit). Its ``str()`` is the command line's message, word for word; each
problem located in a file is also a :class:`Diagnostic` with its file, line,
column and message, read from the ``--> FILE:LINE:COLUMN`` lines that the
message carries (cargo's layout, without colour).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

_TITLE = re.compile(r"^error: (?P<message>.*)$")
_WHERE = re.compile(r"^\s*--> (?P<file>.*):(?P<line>\d+):(?P<column>\d+)$")
_WHERE_FILE = re.compile(r"^\s*--> (?P<file>.*)$")


@dataclass(frozen=True)
class Diagnostic:
    """One problem, where the command line says it is."""

    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None


class PortsimError(Exception):
    """A portsim command that did not succeed; ``code`` is its exit code
    on the command line and ``stderr`` what it printed there."""

    def __init__(self, message: str, *, code: int, stderr: str = ""):
        super().__init__(message)
        self.code = code
        self.stderr = stderr


class ScenarioError(PortsimError):
    """A mistake in the input (exit code 2), with every diagnostic;
    ``file``, ``line``, ``column`` and ``message`` are those of the first
    one located at a line (else in a file, else the first)."""

    def __init__(self, message: str, *, code: int = 2, stderr: str = "",
                 diagnostics: Optional[List[Diagnostic]] = None):
        super().__init__(message, code=code, stderr=stderr)
        self.diagnostics: List[Diagnostic] = diagnostics or []
        # The first problem with a line, else the first with a file.
        located = [d for d in self.diagnostics if d.line is not None]
        located += [d for d in self.diagnostics if d.file is not None]
        first = (located or self.diagnostics or [Diagnostic(message)])[0]
        self.message = first.message
        self.file = first.file
        self.line = first.line
        self.column = first.column

    @classmethod
    def from_stderr(cls, stderr: str, *, code: int = 2) -> "ScenarioError":
        return cls(stderr.strip(), code=code, stderr=stderr, diagnostics=parse(stderr))


class RunawayError(PortsimError):
    """Exit code 1: replications were stopped by the runaway guard. The
    (incomplete) result is ``result``."""

    def __init__(self, message: str, *, code: int, stderr: str, invocation):
        super().__init__(message, code=code, stderr=stderr)
        self._invocation = invocation

    @property
    def result(self):
        from ._results import Result

        return Result._from(self._invocation)


def parse(stderr: str) -> List[Diagnostic]:
    """The diagnostics of a command line message: each ``error: …`` title,
    with the location on the ``-->`` line that follows it, if any."""
    found: List[Diagnostic] = []
    for line in stderr.splitlines():
        title = _TITLE.match(line)
        if title:
            found.append(Diagnostic(title.group("message")))
            continue
        if not found or found[-1].file is not None:
            continue
        where = _WHERE.match(line)
        if where:
            found[-1] = Diagnostic(found[-1].message, where.group("file"),
                                   int(where.group("line")), int(where.group("column")))
            continue
        where = _WHERE_FILE.match(line)
        if where:
            found[-1] = Diagnostic(found[-1].message, where.group("file"))
    return found
