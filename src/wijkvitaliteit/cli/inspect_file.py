"""`wijkvitaliteit inspect FILE`: what a file is and the import command that reads it."""

from __future__ import annotations

from pathlib import Path

import typer

from wijkvitaliteit.cli.common import out
from wijkvitaliteit.sources.identify import inspect


def inspect_command(path: Path) -> None:
    """Say what a file is (format, publisher and table, level, years, code or name column, CRS, encoding, rows,
    CBS symbols) and print the import command for it; for a file no import reads, what it found and expected. For a
    folder of downloads, each file and its import."""
    if not path.exists():
        from wijkvitaliteit.errors import InputError

        raise InputError(path, "an existing file or folder", found="no such file")
    found = inspect(path)
    for line in found.lines():
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    if found.command is None:
        raise typer.Exit(1)
