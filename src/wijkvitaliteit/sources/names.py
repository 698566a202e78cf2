"""Matching region names to CBS area codes, for sources that give names only (StatLine exports by name, police
open data): within one gemeente, exact first, then normalised; a name that is both a wijk and a buurt is resolved
from the file's order (StatLine lists a wijk before its buurten) and checked against the values (a wijk total is at
least its buurt's); what cannot be resolved is reported, never guessed."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

LEVEL_ORDER = {"gemeente": 0, "wijk": 1, "buurt": 2}


def normalise(name: str) -> str:
    """Case, accents, punctuation and the suffixes 'e.o.' / 'en omgeving' ignored: 'Sint-Jansklooster e.o.' ==
    'sint jansklooster'."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\b(e\.\s*o\.?|en omgeving)\s*$", "", text.strip())
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


@dataclass
class NameMatch:
    """Per file row: the area code (or None) and how it was found."""

    codes: list[str | None]
    how: list[str]  # exact | normalised | order | gemeente | ambiguous | unmatched | nederland
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # name -> candidate codes
    unmatched: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for how in self.how:
            out[how] = out.get(how, 0) + 1
        return out


def match_names(
    names: list[str],
    areas: pd.DataFrame,
    gemeente: str,
    *,
    levels: list[str | None] | None = None,
    totals: list[float | None] | None = None,
) -> NameMatch:
    """Codes for ``names`` (one per file row, in file order) among ``areas`` (code, level, name, gemeente_code) of
    ``gemeente``. ``levels``: the file's own level per row where it has one (gemeente/wijk/buurt); ``totals``: a
    count per row (e.g. the first count column) used to check an order-resolved wijk/buurt pair."""
    own = areas[(areas["gemeente_code"] == gemeente) | (areas["code"] == gemeente)]
    exact: dict[str, list[tuple[str, str]]] = {}
    loose: dict[str, list[tuple[str, str]]] = {}
    for row in own.itertuples():
        if pd.isna(row.name):
            continue
        exact.setdefault(str(row.name).strip(), []).append((row.code, row.level))
        loose.setdefault(normalise(row.name), []).append((row.code, row.level))
    codes: list[str | None] = []
    how: list[str] = []
    result = NameMatch(codes, how)
    seen: dict[str, int] = {}  # name -> times met so far (a repeated name: wijk first, then its buurt)
    first_total: dict[str, float | None] = {}
    for i, raw in enumerate(names):
        name = str(raw).strip()
        if normalise(name) == "nederland":
            codes.append(None)
            how.append("nederland")
            continue
        candidates, kind = exact.get(name, []), "exact"
        if not candidates:
            candidates, kind = loose.get(normalise(name), []), "normalised"
        level = levels[i] if levels is not None else None
        if level and candidates:
            candidates = [c for c in candidates if c[1] == level] or candidates
        if len(candidates) == 1:
            codes.append(candidates[0][0])
            how.append(kind)
            continue
        if not candidates:
            codes.append(None)
            how.append("unmatched")
            result.unmatched.append(name)
            continue
        candidates = sorted(candidates, key=lambda c: LEVEL_ORDER.get(c[1], 9))
        gemeenten = [c for c in candidates if c[1] == "gemeente"]
        if gemeenten and name.lower() == str(own.loc[own["code"] == gemeente, "name"].iloc[0]).lower() and not seen.get(name):
            codes.append(gemeenten[0][0])  # the gemeente's own row comes first in the file
            how.append("gemeente")
            seen[name] = 1
            continue
        k = seen.get(name, 0) - (1 if gemeenten else 0)
        ranked = [c for c in candidates if c[1] != "gemeente"]
        # every candidate has a row of its own (the gemeente, the wijk, the buurt): then the order tells them apart
        repeated = sum(1 for other in names if str(other).strip() == name) >= len(candidates)
        if repeated and 0 <= k < len(ranked):
            pick = ranked[k]
            total = totals[i] if totals is not None else None
            contradicts = (
                k == 1
                and total is not None
                and first_total.get(name) is not None
                and pd.notna(total)
                and pd.notna(first_total[name])
                and float(first_total[name]) < float(total)  # type: ignore[arg-type]
            )
            if not contradicts:
                codes.append(pick[0])
                how.append("order")
                seen[name] = seen.get(name, 0) + 1
                if k == 0:
                    first_total[name] = totals[i] if totals is not None else None
                continue
            j = max(n for n, v in enumerate(names[:i]) if str(v).strip() == name)
            if how[j] == "order":  # the earlier row was placed by order too: the values say the order is wrong
                codes[j], how[j] = None, "ambiguous"
        codes.append(None)
        how.append("ambiguous")
        result.ambiguous[name] = [c[0] for c in candidates]
        seen[name] = seen.get(name, 0) + 1
    return result
