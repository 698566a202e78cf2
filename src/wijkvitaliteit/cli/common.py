"""What every command shares: the consoles, the options, the error edge and small printing helpers."""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
import uuid
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup
from typer.exceptions import TyperException

from wijkvitaliteit.errors import INSPECT_HINT, InputError, UserError
from wijkvitaliteit.present.i18n import column_label, default_lang, number, t, value_label
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import DEFAULT_PATH, ENV_VAR, Workspace

DEFAULT_WORKSPACE = Path(DEFAULT_PATH)
DEBUG_ENV = "WIJKVITALITEIT_DEBUG"


class _Consoles:
    """Rich consoles made anew for each invocation (they read the terminal width and streams when made)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.out, self.err = Console(), Console(stderr=True)


consoles = _Consoles()


class _Proxy:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(getattr(consoles, self._name), attr)


out: Console = _Proxy("out")  # type: ignore[assignment]
err: Console = _Proxy("err")  # type: ignore[assignment]


class UserErrorGroup(TyperGroup):
    """The CLI's error edge, once for every command: a user's mistake (errors.UserError) is one line on stderr and
    exit code 2; anything else is one line with an error id and the traceback in a log file, exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        consoles.reset()
        try:
            return super().invoke(ctx)
        except UserError as exc:
            line = exc.one_line()
            if "import" in (ctx.info_name, ctx.invoked_subcommand) and isinstance(exc, InputError) and INSPECT_HINT not in line:
                line += f"; {INSPECT_HINT}"  # every import refusal ends with the way to find the right import
            err.print(f"{t('error', default_lang())}: {line}", markup=False, highlight=False, soft_wrap=True)
            ctx.exit(2)
        except (typer.Exit, typer.Abort, TyperException):  # the command line's own ends and usage errors
            raise
        except Exception:
            if os.environ.get(DEBUG_ENV):
                raise
            error_id = uuid.uuid4().hex[:12]
            log = Path(tempfile.gettempdir()) / f"wijkvitaliteit-error-{error_id}.log"
            log.write_text(f"wijkvitaliteit {' '.join(sys.argv[1:])}\n{traceback.format_exc()}", encoding="utf-8")
            err.print(
                t("cli.internal_error", default_lang(), id=error_id, log=log), markup=False, highlight=False, soft_wrap=True
            )
            ctx.exit(1)


def typer_app(help: str, **kwargs: Any) -> typer.Typer:
    return typer.Typer(
        help=help,
        cls=UserErrorGroup,
        no_args_is_help=kwargs.pop("no_args_is_help", True),
        pretty_exceptions_enable=False,
        add_completion=False,
        **kwargs,
    )


WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", envvar=ENV_VAR, help="Workspace file (DuckDB).", show_default=True)
]


class Lang(StrEnum):
    nl = "nl"
    en = "en"


LangOpt = Annotated[Lang, typer.Option("--lang", envvar="WIJKVITALITEIT_LANG", help="Language: nl or en.")]


class Role(StrEnum):
    corporatie = "corporatie"
    partner = "partner"


RoleOpt = Annotated[Role, typer.Option("--role", help="partner: aggregates only, small counts suppressed (docs/privacy.md).")]
ThresholdOpt = Annotated[int, typer.Option("--threshold", min=1, help="With --role partner: suppress counts below this.")]
YearOpt = Annotated[int | None, typer.Option(help="Score year (default: the latest).")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write the full table as CSV.")]


@contextmanager
def as_role(workspace: Path, role: Role, threshold: int):
    """The workspace to read for a role: itself, or a partner copy made in a temporary folder."""
    if role == Role.corporatie:
        yield workspace
        return
    from wijkvitaliteit.workspace.partner import make_partner_copy

    with Workspace(workspace, read_only=True):
        pass  # a clear error for a missing or foreign file before copying
    with tempfile.TemporaryDirectory(prefix="wijkvitaliteit-partner-") as tmp:
        yield make_partner_copy(workspace, Path(tmp) / "partner.duckdb", threshold)


def progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=consoles.err,
        transient=True,
        disable=not consoles.err.is_terminal,
    )


def fictitious_banner(ws: Workspace, lang: str) -> None:
    corp = queries.corporation_info(ws)
    if corp.get("fictitious") == "true":
        out.print(f"[bold red]{t('fictitious', lang)}[/bold red]: {corp.get('name')}")


def print_table(
    frame: pd.DataFrame, title: str, columns: list[str], lang: str, limit: int = 40, labels: dict[str, str] | None = None
) -> None:
    """A table of some columns; ``labels`` gives their headers (default: the analysis headers ``col.*``, else the
    column names); category values are shown in words (``label.*``)."""
    table = Table(title=title, title_justify="left")
    for col in columns:
        header = (labels or {}).get(col) or column_label(col, lang)
        table.add_column(header, justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
    for _, row in frame.head(limit).iterrows():
        table.add_row(
            *[
                ""
                if pd.isna(row[c])
                else (number(row[c], lang, 3) if isinstance(row[c], float) else str(value_label(row[c], lang)))
                for c in columns
            ]
        )
    out.print(table)
    if len(frame) > limit:
        out.print(f"… {len(frame) - limit} more (--out FILE writes all)")
