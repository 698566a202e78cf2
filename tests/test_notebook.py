"""The example notebook (examples/wijkvitaliteit.ipynb) runs top to bottom on the demo workspace, and says what
the Python API says."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "wijkvitaliteit.ipynb"


@pytest.mark.slow
def test_the_example_notebook_runs(demo_workspace, tmp_path, monkeypatch):
    workspace = tmp_path / "demo.duckdb"
    shutil.copy(demo_workspace, workspace)
    monkeypatch.setenv("WIJKVITALITEIT_WORKSPACE", str(workspace))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(
        out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )
    assert "buurten in Nijmegen are flagged in 2024" in text
    assert "Malvert (BU02680736)" in text and "EPSG:28992" in text
    assert "new run" in text
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
