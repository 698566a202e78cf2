"""The version of wijkvitaliteit (one place; the package, the web footer and reports read it)."""

__version__ = "0.2.0"
