"""Configuration files (scoring model, allocation policy, sensitivity settings): TOML into pydantic."""

from __future__ import annotations

import tomllib
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
