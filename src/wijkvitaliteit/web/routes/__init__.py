"""The site's pages, by concern: each module declares its pages (web/declare.py) in ``register(site)``.

* ``pages`` — national map, gemeente, buurt, changes, model, search, score runs;
* ``analyses`` — resilience, segregation, sensitivity;
* ``allocation`` — the stored allocation comparison;
* ``downloads`` — reports and exports of a gemeente, the wijk map layer, plotly.js, health.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

Year = Annotated[int | None, Query(ge=1990, le=2100, description="Score year (default: the latest).")]
GemeenteQ = Annotated[str | None, Query(pattern="^GM[0-9]{4}$", description="Gemeente code, e.g. GM0344.")]
SearchQ = Annotated[str, Query(max_length=100, description="Name or code of a buurt or gemeente.")]
RunQ = Annotated[int, Query(ge=1, description="Run id (see /runs).")]
