"""The partner's copy of a workspace: the same scores and aggregates, without anybody's personal data.

Made from the corporation's workspace (a file copy, then one transaction on the copy); every page, JSON
and CSV twin, export and report a partner can get is built from it, so nothing a partner sees can come
from the full data by mistake. In the copy:

* the record tables (dwellings, lettings, nuisance reports, the allocation's lettings) are empty;
* household and record counts of the corporation (``COUNTS``) from 1 to threshold−1 are missing, and
  where the buurten of a gemeente and year could give one back through their total, the next smallest is
  missing too (:func:`privacy.suppress`);
* shares and rates built on such counts (``SHARES``) are missing where their numerator or denominator
  is a small count; the same values in the stored score explanations follow the measurements;
* the allocation comparison keeps its per-buurt counts only where they are not small (secondary
  suppression within each run), and its broken-rule lines lose the record-level detail.

Scores, points, categories and attention flags stay: they are classifications, not counts. CBS's own
figures (KWB, Leefbaarometer) are published open data and stay as they are.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from wijkvitaliteit.privacy import DEFAULT_THRESHOLD, suppress, suppressed_share

COUNTS = ("corp.dwellings", "corp.lettings", "corp.lettings_window", "corp.nuisance_reports")
# share or rate → (the count it is a share of, the count of its numerator or None when share × count gives it)
SHARES = {
    "corp.vulnerable_share": "corp.lettings_window",
    "corp.bijstand_share": "corp.lettings_window",
    "corp.contact_6w_share": "corp.lettings",
    "corp.nuisance_per_100": "corp.dwellings",
}
RECORD_TABLES = ("corp_dwellings", "corp_lettings", "corp_nuisance", "allocation_lettings")
ALLOCATION_COUNTS = ["vacancies", "lettings", "vulnerable", "uitstroom"]
ALLOCATION_METRIC_COUNTS = ("urgent_housed", "vulnerable_housed", "uitstroom_housed", "commitment_housed")
RECORD_RULES = ("one_per_applicant", "one_per_vacancy", "responded", "wbmgp", "unknown_applicant", "unknown_vacancy")


def partner_measurements(measurements: pd.DataFrame, gemeente_of: pd.Series, threshold: int, window: int = 3) -> pd.DataFrame:
    """The corporation's measurements with small counts and what they would give away suppressed.
    ``measurements``: area_code, year, indicator, value (+ other columns kept); ``window``: the years of lettings
    behind ``corp.lettings_window`` (the derive setting)."""
    out = measurements.copy()
    wide = out[out["indicator"].isin(COUNTS + tuple(SHARES))].pivot_table(
        index=["area_code", "year"], columns="indicator", values="value", aggfunc="first"
    )
    if wide.empty:
        return out
    wide = wide.reset_index()
    wide["gemeente"] = wide["area_code"].map(gemeente_of)
    present = [c for c in COUNTS if c in wide]
    hidden = suppress(wide, present, threshold=threshold, totals=["gemeente", "year"])
    if "corp.lettings_window" in hidden and "corp.lettings" in hidden:
        # a window is the sum of its years: published with one year hidden, it gives that year back
        hidden["corp.lettings_window"] = hidden["corp.lettings_window"].where(~_window_has_hidden_year(hidden, window))
    for share, base in SHARES.items():
        if share not in hidden or base not in wide:
            continue
        if share == "corp.nuisance_per_100":
            reports = wide.get("corp.nuisance_reports")
            small = hidden["corp.nuisance_reports"].isna() & reports.gt(0) if reports is not None else False
            hidden[share] = wide[share].where(~small & hidden[base].notna())
        else:
            kept = suppressed_share(wide[share], wide[base], threshold=threshold)
            hidden[share] = kept.where(hidden[base].notna() | wide[base].isna())
    long = hidden.drop(columns="gemeente").melt(id_vars=["area_code", "year"], var_name="indicator", value_name="partner_value")
    out = out.merge(long, on=["area_code", "year", "indicator"], how="left")
    affected = out["indicator"].isin(COUNTS + tuple(SHARES))
    out.loc[affected, "value"] = out.loc[affected, "partner_value"]
    return out.drop(columns="partner_value")


def _window_has_hidden_year(frame: pd.DataFrame, window: int) -> pd.Series:
    """Per buurt-year: is one of the ``window`` years of lettings that end in it hidden (missing) in ``frame``?"""
    years = frame[["area_code", "year"]].assign(hidden=frame["corp.lettings"].isna())
    lookup = years.set_index(["area_code", "year"])["hidden"]
    out = pd.Series(False, index=frame.index)
    for back in range(window):
        key = pd.MultiIndex.from_arrays([frame["area_code"], frame["year"] - back])
        out |= pd.Series(lookup.reindex(key).fillna(False).to_numpy(bool), index=frame.index)
    return out


def gemeente_totals(measurements: pd.DataFrame, gemeente_of: pd.Series, threshold: int) -> pd.DataFrame:
    """The corporation's dwellings per gemeente and year (the sum over all its buurten, hidden ones included):
    the aggregate a partner's national map shows, missing where it is a small count."""
    dwellings = measurements[measurements["indicator"] == "corp.dwellings"]
    totals = dwellings.assign(area_code=dwellings["area_code"].map(gemeente_of)).dropna(subset=["area_code"])
    totals = totals.groupby(["area_code", "year"], as_index=False)["value"].sum()
    totals = totals[~((totals["value"] > 0) & (totals["value"] < threshold))]
    return totals.assign(indicator="corp.dwellings")


def make_partner_copy(source: Path, target: Path, threshold: int = DEFAULT_THRESHOLD) -> Path:
    """A new workspace file with every table of ``source`` except the record tables (left empty), then
    stripped to what a partner may see — one transaction."""
    from importlib import resources

    target = Path(target)
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH '{Path(source)}' AS src (READ_ONLY)")
        con.execute("BEGIN TRANSACTION")
        con.execute(resources.files("wijkvitaliteit.workspace").joinpath("schema.sql").read_text(encoding="utf-8"))
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src' AND table_schema = 'main'"
            ).fetchall()
        ]
        for table in tables:
            if table not in RECORD_TABLES:
                con.execute(f'INSERT INTO main."{table}" SELECT * FROM src."{table}"')
        gemeente_of = (
            con.execute("SELECT code, gemeente_code FROM areas WHERE level = 'buurt'").df().set_index("code")["gemeente_code"]
        )
        ids = list(COUNTS) + list(SHARES)
        measured = con.execute(
            "SELECT area_code, year, indicator, value FROM measurements WHERE indicator IN (SELECT unnest(?))", [ids]
        ).df()
        derive = json.loads(dict(con.execute("SELECT key, value FROM corporation").fetchall()).get("derive") or "{}")
        window = int(derive.get("window", 3))
        kept = partner_measurements(measured, gemeente_of, threshold, window)
        totals = gemeente_totals(measured, gemeente_of, threshold)
        con.register("gemeente_totals", totals)
        con.execute("""INSERT INTO measurements BY NAME SELECT area_code, CAST(year AS INTEGER) AS year, indicator, value,
                       'corporatie' AS source, 'partner: sum over the buurten' AS vintage FROM gemeente_totals""")
        con.register("gone", kept[kept["value"].isna()][["area_code", "year", "indicator"]])
        con.execute("""DELETE FROM measurements m USING gone g
                       WHERE m.area_code = g.area_code AND m.year = g.year AND m.indicator = g.indicator""")
        con.execute(
            """UPDATE score_indicators s SET value = NULL
                       WHERE s.indicator IN (SELECT unnest(?)) AND NOT EXISTS (
                           SELECT 1 FROM measurements m WHERE m.area_code = s.area_code
                           AND m.year = s.value_year AND m.indicator = s.indicator)""",
            [ids],
        )
        # quantile limits rank against every buurt, hidden values included: their number would say how many
        # are hidden, so it is not given (the limits and the points stay: classifications, not counts)
        con.execute("UPDATE score_indicators SET reference_n = NULL WHERE indicator IN (SELECT unnest(?))", [ids])
        _partner_allocation(con, threshold, window, measured, kept)
        con.execute("DELETE FROM meta WHERE key = 'pseudonym_salt'")  # the corporation's secret stays with it
        con.execute("INSERT OR REPLACE INTO meta VALUES ('role', 'partner'), ('suppression_threshold', ?)", [str(threshold)])
        con.execute("COMMIT")
        con.execute("DETACH src")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return target


def _projected_window(buurten: pd.DataFrame, lettings: pd.Series, window: int) -> pd.Series:
    """The lettings behind a run's projected window share per buurt: the recorded lettings of the ``window`` − 1
    years before the policy year (``buurten.year``) plus the round's lettings. ``lettings``: the full data's
    ``corp.lettings`` by (area_code, year)."""
    base = buurten["lettings"].fillna(0).astype(float)
    for back in range(1, window):
        key = pd.MultiIndex.from_arrays([buurten["buurt_code"], buurten["year"] - back])
        base = base + lettings.reindex(key).fillna(0).to_numpy(float)
    return base


def _partner_allocation(
    con: duckdb.DuckDBPyConnection, threshold: int, window: int, measured: pd.DataFrame, kept: pd.DataFrame
) -> None:
    """The allocation comparison as a partner may see it. Per buurt and run: small counts hidden (and secondarily
    within the run's totals); a share whose numerator or base is a small count, or whose base is made of hidden
    counts, hidden; the cap and uitstroom maximum hidden with the vacancies they are computed from; a broken
    rule's allowed value hidden with its found value (found > allowed gives found back)."""
    buurten = con.execute(
        "SELECT b.rowid AS rid, b.*, r.year FROM allocation_buurten b JOIN allocation_runs r USING (run_id)"
    ).df()
    if len(buurten):
        hidden = suppress(buurten, ALLOCATION_COUNTS, threshold=threshold, totals=["run_id"])
        small = hidden["vulnerable"].isna() | hidden["lettings"].isna()
        hidden["vulnerable_share_round"] = buurten["vulnerable_share_round"].where(~small)
        lettings = measured[measured["indicator"] == "corp.lettings"].set_index(["area_code", "year"])["value"]
        base = _projected_window(buurten, lettings, window)
        share = buurten["vulnerable_share_window"].astype(float)
        numerator = np.round(share * base)
        unsafe = ((numerator > 0) & (numerator < threshold)) | ((base > 0) & (base < threshold))
        unsafe |= hidden["lettings"].isna() & buurten["lettings"].fillna(0).gt(0)
        # a year of the base hidden on the buurt pages: the share would give it back
        seen = kept[kept["indicator"] == "corp.lettings"].set_index(["area_code", "year"])["value"]
        for back in range(1, window):
            key = pd.MultiIndex.from_arrays([buurten["buurt_code"], buurten["year"] - back])
            unsafe |= seen.reindex(key).isna().to_numpy() & lettings.reindex(key).fillna(0).gt(0).to_numpy()
        hidden["vulnerable_share_window"] = share.where(~unsafe)
        for limit in ("cap", "quota_max"):
            hidden[limit] = buurten[limit].where(hidden["vacancies"].notna() | buurten["vacancies"].fillna(0).eq(0))
        columns = [*ALLOCATION_COUNTS, "vulnerable_share_round", "vulnerable_share_window", "cap", "quota_max"]
        con.register("hidden", hidden[["rid", *columns]])
        con.execute(f"""UPDATE allocation_buurten b SET {", ".join(f"{c} = h.{c}" for c in columns)}
                       FROM hidden h WHERE b.rowid = h.rid""")
    for run_id, metrics in con.execute("SELECT run_id, metrics FROM allocation_runs").fetchall():
        m = json.loads(metrics)
        for key in ALLOCATION_METRIC_COUNTS:
            if m.get(key) is not None and 0 < m[key] < threshold:
                m[key] = None
        con.execute("UPDATE allocation_runs SET metrics = ? WHERE run_id = ?", [json.dumps(m), run_id])
    con.execute("DELETE FROM allocation_violations WHERE rule IN (SELECT unnest(?))", [list(RECORD_RULES)])
    con.execute(
        """UPDATE allocation_violations SET detail = rule || CASE WHEN area IS NULL OR area = '' THEN ''
                   ELSE ' ' || area END,
                   allowed = CASE WHEN TRY_CAST(found AS DOUBLE) BETWEEN 1 AND ? - 1 THEN NULL ELSE allowed END,
                   found = CASE WHEN TRY_CAST(found AS DOUBLE) BETWEEN 1 AND ? - 1 THEN NULL ELSE found END""",
        [threshold, threshold],
    )
