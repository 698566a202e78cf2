"""Docs that must stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from wijkvitaliteit.scoring.model import default_model_text
from wijkvitaliteit.sources.corporation import formats_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_formats_reference_is_generated_from_the_code():
    from wijkvitaliteit.sources.allocation import FORMATS as ALLOCATION_FORMATS

    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    sections = [part.split("<!-- end of generated", 1)[0] for part in text.split("tests/test_docs.py keeps it equal -->\n")[1:]]
    assert sections == [formats_markdown(), formats_markdown(ALLOCATION_FORMATS)]


def test_scoring_doc_quotes_every_line_of_both_bundled_models():
    from importlib import resources

    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    open_data = resources.files("wijkvitaliteit.scoring").joinpath("open-data.toml").read_text(encoding="utf-8")
    for text in (default_model_text(), open_data):
        for line in text.splitlines():
            setting = line.split("#", 1)[0].strip()
            if setting:
                assert setting in doc, setting


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:1500]
    assert "make demo" in head and "make test" in head


def test_readme_commands_exist_in_the_cli():
    from wijkvitaliteit.cli.imports import import_app
    from wijkvitaliteit.cli.main import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = {c.name or c.callback.__name__ for c in app.registered_commands} | {g.name for g in app.registered_groups}
    import_kinds = {c.name for c in import_app.registered_commands}
    for match in re.finditer(r"(?:`|bin/)wijkvitaliteit (import )?([a-z-]+)", readme):
        word = match.group(2)
        if match.group(1):
            assert word in import_kinds, word
        else:
            assert word in names, word


def test_allocation_doc_quotes_every_line_of_the_bundled_policies():
    from wijkvitaliteit.allocation.policy import BUNDLED, bundled_policy_path

    doc = (ROOT / "docs" / "allocation.md").read_text(encoding="utf-8")
    for name in BUNDLED:
        for line in bundled_policy_path(name).read_text(encoding="utf-8").splitlines():
            setting = line.split("#", 1)[0].strip()
            if setting:
                assert setting in doc, (name, setting)
