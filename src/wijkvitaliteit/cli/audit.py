"""`wijkvitaliteit audit partner`: try, as a partner would, to recover a suppressed count from what is published."""

from __future__ import annotations

import typer

from wijkvitaliteit.cli.common import DEFAULT_WORKSPACE, Lang, LangOpt, ThresholdOpt, WorkspaceOpt, out, progress, typer_app
from wijkvitaliteit.present.i18n import t

audit_app = typer_app("Audits of what others can see (docs/privacy.md).")


@audit_app.command("partner")
def partner(workspace: WorkspaceOpt = DEFAULT_WORKSPACE, threshold: ThresholdOpt = 5, lang: LangOpt = Lang.nl) -> None:
    """Fetch every number the partner role can (pages, twins, downloads), try the differencing attacks (window −
    years, total − parts, share × base, allowed + 1) and list every count from 1 to threshold − 1 they recover.
    Exit 1 when one is recovered."""
    from wijkvitaliteit.web.audit import audit_partner

    with progress() as bar:
        bar.add_task("audit")
        result = audit_partner(workspace, threshold)
    out.print(
        t(
            "audit.summary",
            lang,
            fetched=result.fetched,
            facts=result.facts,
            equations=result.equations,
            hidden=result.hidden_small,
            leaks=len(result.leaks),
            threshold=threshold,
        )
    )
    for leak in result.leaks[:50]:
        out.print(f"  • {leak.line()}", markup=False)
    if result.leaks:
        raise typer.Exit(1)
