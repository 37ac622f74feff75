"""Errors a user can act on.

Every error raised on purpose by reconnect_lib is a :class:`ReconnectError`. It
carries structured fields (which file, which column, which rows, what was
expected, how to fix it) and renders them as one readable message:

>>> print(InputError(
...     "'31/02/2024' is not a date", file="clients.csv", column="last_contact", rows=[14, 92],
...     expected="YYYY-MM-DD", hint='set [data] date_format = "%d/%m/%Y" in campaign.toml',
... ))
clients.csv, column `last_contact`, rows 14, 92: '31/02/2024' is not a date (expected YYYY-MM-DD)
  Hint: set [data] date_format = "%d/%m/%Y" in campaign.toml

Several problems found in one validation pass are reported together
(:attr:`ReconnectError.problems`), so a user fixes a file once, not once per
rerun.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

MAX_ROWS_SHOWN = 5
MAX_VALUE_SHOWN = 60  # characters of one offending value; a 400-digit cell would fill the screen


def _shown(value: object) -> str:
    text = repr(value)
    if len(text) <= MAX_VALUE_SHOWN:
        return text
    return f"{text[: MAX_VALUE_SHOWN - 1]}… ({len(str(value)):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, as precisely as it can be located.

    ``rows`` are 1-based data-row numbers as a user sees them in a spreadsheet
    (the header is not counted); ``values`` are the offending values, aligned
    with ``rows`` where both are given.
    """

    message: str
    file: str | None = None
    column: str | None = None
    rows: Sequence[int] = ()
    values: Sequence[object] = ()
    expected: str | None = None
    hint: str | None = None

    def render(self) -> str:
        where = []
        if self.file:
            where.append(Path(self.file).name)
        if self.column:
            where.append(f"column `{self.column}`")
        if self.rows:
            shown = ", ".join(str(r) for r in list(self.rows)[:MAX_ROWS_SHOWN])
            more = len(self.rows) - MAX_ROWS_SHOWN
            label = "row" if len(self.rows) == 1 else "rows"
            where.append(f"{label} {shown}" + (f" and {more} more" if more > 0 else ""))
        text = ", ".join(where)
        text = f"{text}: {self.message}" if text else self.message
        if self.values:
            shown_values = ", ".join(_shown(v) for v in list(self.values)[:MAX_ROWS_SHOWN])
            text += f" (found {shown_values})"
        if self.expected:
            text += f" (expected {self.expected})"
        if self.hint:
            text += f"\n  Hint: {self.hint}"
        return text


@dataclass(eq=False)
class ReconnectError(Exception):
    """Base of every error reconnect_lib raises on purpose."""

    message: str
    file: str | None = None
    column: str | None = None
    rows: Sequence[int] = ()
    values: Sequence[object] = ()
    expected: str | None = None
    hint: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def from_problems(cls, problems: Sequence[Problem], *, file: str | None = None):
        """One error reporting every problem found in a validation pass."""
        problems = list(problems)
        if len(problems) == 1:
            p = problems[0]
            return cls(
                p.message,
                file=p.file or file,
                column=p.column,
                rows=p.rows,
                values=p.values,
                expected=p.expected,
                hint=p.hint,
                problems=problems,
            )
        name = Path(file).name if file else "the input"
        return cls(
            f"{len(problems)} problems in {name}",
            file=file,
            problems=problems,
        )

    def __str__(self) -> str:
        if len(self.problems) > 1:
            lines = [self.message + ":"]
            lines += ["- " + p.render().replace("\n", "\n  ") for p in self.problems]
            return "\n".join(lines)
        return Problem(
            self.message,
            file=self.file,
            column=self.column,
            rows=self.rows,
            values=self.values,
            expected=self.expected,
            hint=self.hint,
        ).render()


class InputError(ReconnectError):
    """A data file is missing, unreadable or does not meet its schema."""


class ConfigError(ReconnectError):
    """campaign.toml (or an argument standing in for it) has a wrong key or value."""


class StoreError(ReconnectError):
    """The outcome store cannot be opened, read or written."""


class ReportError(ReconnectError):
    """A report notebook failed to run or to export."""
