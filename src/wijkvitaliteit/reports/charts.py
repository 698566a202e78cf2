"""Static maps and charts for reports (matplotlib/geopandas), returned as PNG data URIs.

PNG at print resolution keeps the PDF small and fast to render (WeasyPrint spends seconds on chart SVGs
with text drawn as paths)."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from wijkvitaliteit.present.colours import CATEGORY_COLOURS, NO_DATA_FILL  # noqa: E402
from wijkvitaliteit.present.i18n import t  # noqa: E402
from wijkvitaliteit.scoring.model import ScoringModel  # noqa: E402

plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9})


def _png(fig, dpi: int = 150) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def category_map(
    geo: gpd.GeoDataFrame, buurten: pd.DataFrame, model: ScoringModel, lang: str, labels: set[str] | None = None
) -> str:
    """The gemeente's buurten coloured by category (hatched where incomplete), flagged buurten labelled."""
    frame = geo[["code", "name", "geometry"]].merge(buurten[["code", "category", "scored", "attention"]], on="code", how="left")
    fig, ax = plt.subplots(figsize=(7.2, 7.2), layout="constrained")
    colours = frame["category"].map(CATEGORY_COLOURS).fillna(NO_DATA_FILL)
    frame.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.6)
    incomplete = frame[frame["scored"].fillna(False).astype(bool) & frame["category"].isna()]
    if len(incomplete):
        incomplete.plot(ax=ax, facecolor="#f0f0f0", edgecolor="#888", hatch="///", linewidth=0.4)
    for _, row in frame[frame["code"].isin(labels or set())].iterrows():
        point = row.geometry.representative_point()
        ax.annotate(
            row["name"],
            (point.x, point.y),
            ha="center",
            fontsize=6.5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    ax.set_axis_off()
    handles = [
        Patch(facecolor=CATEGORY_COLOURS[b.category], label=b.label_en if lang == "en" else b.label_nl) for b in model.bands
    ]
    handles += [
        Patch(facecolor="#f0f0f0", edgecolor="#888", hatch="///", label=t("incomplete", lang)),
        Patch(facecolor=NO_DATA_FILL, label=t("web.not_scored", lang)),
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=True)
    return _png(fig, dpi=200)


def trend_chart(trend: pd.DataFrame, lang: str) -> str | None:
    """Leefbaarometer score per year, one marker per instrument version; dimensions from 2014 as bars."""
    rows = trend.dropna(subset=["lbm"])
    if rows.empty:
        return None
    fig, ax = plt.subplots(figsize=(6.8, 2.6))
    fig.subplots_adjust(left=0.11, right=0.89, top=0.95, bottom=0.12)  # fixed: a layout solver per chart is slow
    ax.plot(rows["year"], rows["lbm"], color="#777", linestyle=":", linewidth=1)
    for marker, (versie, part) in zip("osD", rows.groupby("versie"), strict=False):
        ax.plot(part["year"], part["lbm"], marker=marker, linestyle="none", label=versie, color="#542788")
    ax.set_ylabel("lbm")
    dims = rows.dropna(subset=["fys"])
    if len(dims):
        ax2 = ax.twinx()
        bottom_pos = pd.Series(0.0, index=dims.index)
        bottom_neg = pd.Series(0.0, index=dims.index)
        for key, colour in zip(
            ("fys", "onv", "soc", "vrz", "won"), ("#542788", "#8073ac", "#b35806", "#e08214", "#1b7837"), strict=True
        ):
            values = dims[key]
            base = bottom_pos.where(values >= 0, bottom_neg)
            ax2.bar(dims["year"], values, bottom=base, width=0.8, color=colour, alpha=0.55, label=key)
            bottom_pos = bottom_pos + values.clip(lower=0)
            bottom_neg = bottom_neg + values.clip(upper=0)
        ax2.axhline(0, color="#bbb", linewidth=0.6)
        ax2.set_ylabel(t("web.dimensions", lang))
        ax2.legend(loc="upper right", fontsize=6, ncol=5, frameon=False)
        ax.set_zorder(ax2.get_zorder() + 1)  # the score line above the dimension bars
        ax.patch.set_visible(False)
    ax.legend(loc="upper left", fontsize=6, frameon=False)
    ax.set_xticks(rows["year"])
    ax.spines[["top"]].set_visible(False)
    return _png(fig)
