"""Utrecht cross-section for docs/analyses.md: Leefbaarometer against the KWB 2023 corporation share (p_wcorpw)."""

import statsmodels.formula.api as smf

from wijkvitaliteit import data as bundled
from wijkvitaliteit.sources.kwb import read_kwb
from wijkvitaliteit.sources.leefbaarometer import read_leefbaarometer

kwb = read_kwb(bundled.KWB_UTRECHT[2023]).measurements
share = kwb[kwb.indicator == "kwb.p_wcorpw"].set_index("area_code")["value"]
lbm = read_leefbaarometer(bundled.LEEFBAAROMETER).scores
for year in (2002, 2012, 2020):
    sub = lbm[(lbm.jaar == year) & lbm.bu_code.str.startswith("BU0344")].set_index("bu_code")
    for col in ["afw", "onv", "soc"] if year == 2020 else ["afw"]:
        d = sub[[col]].join(share.rename("p_wcorpw"), how="inner").dropna()
        fit = smf.ols(f"{col} ~ p_wcorpw", data=d).fit(cov_type="HC1")
        lo, hi = fit.conf_int().loc["p_wcorpw"]
        print(
            f"{year} {col:4s} n={len(d):3d} slope per 10 pp = {10 * fit.params['p_wcorpw']:+.4f} "
            f"(95% CI {10 * lo:+.4f} … {10 * hi:+.4f}), R² = {fit.rsquared:.2f}"
        )
