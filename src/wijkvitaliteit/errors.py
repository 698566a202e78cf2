"""The errors a user can cause, one family: each says in one line what was wrong and how to fix it.

* :class:`InputError` — bad input from a user's file or argument, named by file, row and column;
* :class:`NotFound` — an area, run or page that does not exist (with suggestions where there are some);
* :class:`BadParameter` — a parameter the data cannot answer (a year that was not scored, …).

Each edge maps the family once: the CLI prints ``one_line()`` and exits with 2; the web answers 404 (NotFound)
or 422 (the others) with the styled error page or JSON; the Python API raises them as they are.
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Base of the family: something the user can fix."""

    def one_line(self) -> str:
        return str(self).replace("\n", " ")


class InputError(UserError):
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


class NotFound(UserError):
    """``what`` (e.g. "buurt") named ``key`` does not exist; ``suggestions`` are rows like search results."""

    def __init__(self, what: str, key: str, suggestions: list[dict] | None = None) -> None:
        self.what, self.key, self.suggestions = what, key, suggestions or []
        super().__init__(self.one_line())

    def one_line(self) -> str:
        text = f"unknown {self.what}: {self.key}"
        names = [f"{s.get('name') or s.get('code')} ({s.get('code')})" for s in self.suggestions[:5] if s.get("code")]
        if names:
            text += f"; did you mean {', '.join(names)}?"
        return text


class BadParameter(UserError):
    """The parameter ``name`` cannot be answered: ``message`` says why and what can be chosen instead."""

    def __init__(self, name: str, message: str) -> None:
        self.name, self.message = name, message
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.name}: {self.message}".replace("\n", " ")


INSPECT_HINT = "'wijkvitaliteit inspect FILE' says what a file is and which import reads it"
