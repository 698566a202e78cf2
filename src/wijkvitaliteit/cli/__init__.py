"""The command line (Typer + Rich): ``wijkvitaliteit.cli.main:app``."""
