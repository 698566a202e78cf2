"""`wijkvitaliteit restore`: put a kept earlier generation of the workspace back (after damage or a mistake)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkvitaliteit.cli.common import DEFAULT_WORKSPACE, Lang, LangOpt, WorkspaceOpt, out
from wijkvitaliteit.present.i18n import t
from wijkvitaliteit.workspace.staging import generations
from wijkvitaliteit.workspace.store import readable, restore


def restore_command(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    generation: Annotated[
        Path | None, typer.Option(help="The generation to restore (default: the newest that reads cleanly; see --list).")
    ] = None,
    list_only: Annotated[bool, typer.Option("--list", help="Only list the kept generations.")] = False,
    lang: LangOpt = Lang.nl,
) -> None:
    """Every write keeps the file it replaces as a generation ($WIJKVITALITEIT_GENERATIONS, default 3). Restore the
    newest generation that reads cleanly (or --generation FILE) in place of the workspace; the file it replaces is
    kept as a generation too."""
    if list_only:
        for g in generations(workspace):
            problem = readable(g)
            out.print(f"{g}  {g.stat().st_size >> 20} MB  {t('restore.ok', lang) if problem is None else problem}", markup=False)
        return
    used = restore(workspace, generation)
    out.print(t("restore.done", lang, path=workspace, generation=used.name), markup=False)
