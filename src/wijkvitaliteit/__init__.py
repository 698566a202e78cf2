"""wijkvitaliteit: the vitaliteitsscore for every buurt from open data and a corporation's own records.

Python API (docs/python.md)::

    import wijkvitaliteit as wv
    ws = wv.open("demo.duckdb")
    ws.scores(year=2024, gemeente="GM0268")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wijkvitaliteit.version import __version__

if TYPE_CHECKING:
    from wijkvitaliteit.api import WorkspaceAPI

__all__ = ["__version__", "open"]


def open(path: Any, lang: str = "nl") -> WorkspaceAPI:  # noqa: A001 — wv.open(...) is the API's entry point
    """Open a workspace file for reading and scoring from Python (wijkvitaliteit.api)."""
    from wijkvitaliteit.api import open as open_workspace

    return open_workspace(path, lang)
