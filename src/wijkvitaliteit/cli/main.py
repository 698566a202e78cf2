"""The command line: ``wijkvitaliteit …`` (Typer + Rich). Dutch by default, ``--lang en`` for English.

One module per command group; this one only assembles them. Every user error is mapped once, by the group class
(cli/common.py): one line on stderr, exit code 2.
"""

from __future__ import annotations

from wijkvitaliteit.cli import (
    allocate,
    analyse,
    audit,
    demo,
    imports,
    inspect_file,
    outputs,
    read,
    restore,
    runs,
    scoring,
    serve,
)
from wijkvitaliteit.cli.common import typer_app

app = typer_app(
    "wijkvitaliteit: de vitaliteitsscore (leefbaarheid × organisatiekracht × veerkracht) voor elke buurt, "
    "uit open data en de eigen gegevens van de corporatie."
)
app.command()(scoring.init)
app.command("inspect")(inspect_file.inspect_command)
app.add_typer(imports.import_app, name="import")
app.command()(scoring.derive)
app.command()(scoring.score)
app.add_typer(runs.runs_app, name="runs")
app.command("restore")(restore.restore_command)
app.command("list")(read.list_buurten)
app.command()(read.show)
app.command()(outputs.export)
app.command()(outputs.report)
app.add_typer(analyse.analyse_app, name="analyse")
app.add_typer(allocate.allocate_app, name="allocate")
app.add_typer(audit.audit_app, name="audit")
app.command("demo-data")(demo.demo_data)
app.command()(demo.demo)
app.command()(serve.serve)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
