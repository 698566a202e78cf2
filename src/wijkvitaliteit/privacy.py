"""Personal data: pseudonymised record ids, and small-count suppression for partners (docs/privacy.md).

* ``pseudonym`` — a record id (dwelling, letting, report, applicant) becomes the first 24 hex digits of
  SHA-256(salt ‖ id). The salt is secret to the corporation: ``$WIJKVITALITEIT_SALT`` when set, else a
  random salt made at the first import and kept in the workspace's ``meta`` table. The same id gets the
  same pseudonym in every import, so records stay linked; the id itself is never stored.
* ``suppress`` — counts below a threshold (default 5, as CBS does) become missing, and where a
  published total would give a suppressed cell back, the next smallest cell of that total is
  suppressed too (secondary suppression).
"""

from __future__ import annotations

import os
import secrets

import duckdb
import numpy as np
import pandas as pd

SALT_ENV = "WIJKVITALITEIT_SALT"
DEFAULT_THRESHOLD = 5


def workspace_salt(con: duckdb.DuckDBPyConnection) -> str:
    """The salt: the environment's, else the workspace's own (made once, inside the caller's transaction)."""
    if os.environ.get(SALT_ENV):
        return os.environ[SALT_ENV]
    row = con.execute("SELECT value FROM meta WHERE key = 'pseudonym_salt'").fetchone()
    if row:
        return row[0]
    salt = secrets.token_hex(16)
    con.execute("INSERT INTO meta VALUES ('pseudonym_salt', ?)", [salt])
    return salt


def pseudonym_sql(column: str, salt_parameter: str = "$salt") -> str:
    """The SQL of a pseudonym: SHA-256(salt ‖ id), first 24 hex digits (96 bits); NULL stays NULL."""
    return f'left(sha256({salt_parameter} || "{column}"), 24)'


def pseudonyms(ids: pd.Series, salt: str) -> pd.Series:
    """The pseudonyms of ids, computed in DuckDB (as the import does when it stores them)."""
    import pyarrow as pa

    con = duckdb.connect()
    con.register("frame", pa.table({"id": pa.array(ids.astype("string").array)}))
    out = con.sql(f"SELECT {pseudonym_sql('id')} AS p FROM frame", params={"salt": salt}).to_arrow_table()
    con.close()
    return pd.Series(pd.array(out.column("p").combine_chunks(), dtype="string"), index=ids.index)


def suppress(
    frame: pd.DataFrame, columns: list[str], *, threshold: int = DEFAULT_THRESHOLD, totals: list[str] | None = None
) -> pd.DataFrame:
    """A copy with every count in ``columns`` from 1 to threshold−1 set to missing (zero stays: nobody is
    nobody). With ``totals`` (the columns that group cells whose sum is published, e.g. gemeente and
    year), a group with exactly one suppressed cell also loses its smallest other non-zero cell, so the
    total minus the others does not give the suppressed one back."""
    out = frame.copy()
    for column in columns:
        values = pd.to_numeric(out[column], errors="coerce").astype("float64")
        primary = (values > 0) & (values < threshold)
        hidden = primary.copy()
        if totals:
            keys = out[totals].astype("string").fillna("").agg("|".join, axis=1) if len(out) else pd.Series(dtype=str)
            for _, idx in primary.groupby(keys).groups.items():
                idx = list(idx)
                if int(primary.loc[idx].sum()) != 1:
                    continue
                others = values.loc[idx][~primary.loc[idx] & (values.loc[idx] > 0)]
                if len(others):
                    hidden.loc[others.idxmin()] = True
        out[column] = values.where(~hidden)
    return out


def suppressed_share(share: pd.Series, n: pd.Series, *, threshold: int = DEFAULT_THRESHOLD) -> pd.Series:
    """A share of ``n`` households hides when its numerator (share × n) or ``n`` itself is a small count."""
    numerator = np.round(share.astype("float64") * n.astype("float64"))
    small = ((numerator > 0) & (numerator < threshold)) | ((n > 0) & (n < threshold))
    return share.where(~small.fillna(False))
