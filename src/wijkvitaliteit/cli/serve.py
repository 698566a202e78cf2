"""`serve`: the dashboard and HTTP API (docs/privacy.md for roles and tokens)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkvitaliteit.cli.common import (
    DEFAULT_WORKSPACE,
    WorkspaceOpt,
    err,
)


def serve(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    tokens: Annotated[
        Path | None,
        typer.Option(
            help="Tokens per role (TOML; docs/privacy.md). Default "
            "$WIJKVITALITEIT_TOKENS; without tokens the server is "
            "open, as corporatie, on loopback only."
        ),
    ] = None,
    threshold: Annotated[
        int | None, typer.Option(min=1, help="Partner suppression threshold (default: the tokens file's, else 5).")
    ] = None,
    behind_proxy: Annotated[
        bool,
        typer.Option(
            "--behind-proxy",
            help="TLS ends at a proxy in front of this server: the token cookie is Secure and X-Forwarded-Proto is trusted.",
        ),
    ] = False,
) -> None:
    """Serve the dashboard and HTTP API for a workspace (read-only while it runs)."""
    from wijkvitaliteit.web.server import load_access
    from wijkvitaliteit.web.server import serve as run_server

    access = load_access(tokens, threshold, behind_proxy)
    mode = "tokens: corporatie, partner" if access else "open (no tokens), loopback only"
    run_server(
        workspace,
        host,
        port,
        access,
        on_ready=lambda: err.print(
            f"wijkvitaliteit: http://{host}:{port}/  (API: http://{host}:{port}/docs; {mode}) — Ctrl+C stops"
        ),
    )
