"""Configuration files (scoring model, allocation policy, sensitivity settings): TOML into pydantic."""

from __future__ import annotations

import os
import tomllib
from datetime import date
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from wijkvitaliteit.errors import InputError

M = TypeVar("M", bound=BaseModel)


def parse_toml_model(text: str, source: str, cls: type[M], what: str) -> M:
    """Parse and validate; the first problem becomes one InputError naming the setting."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, f"a valid TOML {what}", found=str(exc)) from None
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        found = err.get("input")
        raise InputError(
            source,
            err["msg"].removeprefix("Value error, "),
            column=where or None,
            found=None if isinstance(found, dict) else found,
        ) from None


FIRST_YEAR_ENV = "WIJKVITALITEIT_FIRST_YEAR"
DEFAULT_FIRST_YEAR = 1990


def measurement_window() -> tuple[int, date]:
    """The plausible years of a measurement: from ``$WIJKVITALITEIT_FIRST_YEAR`` (default 1990) up to today; a
    measurement is never from the future."""
    value = os.environ.get(FIRST_YEAR_ENV, "")
    first = int(value) if value.strip().isdigit() else DEFAULT_FIRST_YEAR
    return first, date.today()


def window_hint() -> str:
    return (
        f"a measurement lies between {FIRST_YEAR_ENV} (default {DEFAULT_FIRST_YEAR}) and today; fix the date or "
        f"set {FIRST_YEAR_ENV}"
    )


MAX_FILE_ENV, MAX_EXPANDED_ENV, MAX_RATIO_ENV = (
    "WIJKVITALITEIT_MAX_FILE_MB",
    "WIJKVITALITEIT_MAX_EXPANDED_MB",
    "WIJKVITALITEIT_MAX_RATIO",
)


def _number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def input_limits() -> tuple[int, int, float]:
    """Bounds on what an import reads (docs/formats.md): the size of a file (``$WIJKVITALITEIT_MAX_FILE_MB``,
    default 2048 MB), what an archive (zip, xlsx) may expand to (``$WIJKVITALITEIT_MAX_EXPANDED_MB``, default
    4096 MB) and how many times larger than its compressed size a member may be (``$WIJKVITALITEIT_MAX_RATIO``,
    default 100; CSV and xlsx sheets compress 3 to 20 times)."""
    mb = 1 << 20
    return (int(_number(MAX_FILE_ENV, 2048) * mb), int(_number(MAX_EXPANDED_ENV, 4096) * mb), _number(MAX_RATIO_ENV, 100))
