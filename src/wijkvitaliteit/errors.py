"""The one error type a user can cause: bad input, named by file, row and column."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input from a user's file or argument.

    ``row`` is the row number as a spreadsheet shows it (the header is row 1, the first data row is
    row 2); ``column`` is the column's name as written in the file. Both are optional when the
    problem is the file as a whole (empty, truncated, wrong encoding).
    """

    def __init__(
        self,
        file: str | Path | None,
        expected: str,
        *,
        row: int | None = None,
        column: str | None = None,
        found: object = None,
        hint: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.expected = expected
        self.found = found
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where) + ": " if where else ""
        text += f"expected {self.expected}"
        if self.found is not None:
            found = str(self.found)
            if len(found) > 80:
                found = found[:77] + "..."
            text += f", found {found!r}"
        if self.hint:
            text += f"; {self.hint}"
        return text.replace("\n", " ")
