"""Allocation: inputs, policy, optimiser against exact CP-SAT, the independent checker, baselines, projection."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from tests.conftest import run_cli
from wijkvitaliteit.allocation import baselines
from wijkvitaliteit.allocation.check import check_assignment
from wijkvitaliteit.allocation.instance import SCALE, build_instance
from wijkvitaliteit.allocation.optimise import max_weight_matching, optimise, solve_exact
from wijkvitaliteit.allocation.policy import load_policy, parse_policy
from wijkvitaliteit.allocation.run import assignment_table, run_policy
from wijkvitaliteit.demo.allocation import generate_allocation
from wijkvitaliteit.demo.generator import ALLOCATION_DIR
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.allocation import read_allocation_inputs

A, B = "BU00000001", "BU00000002"

# -- a tiny round where each rule can be broken on its own ----------------------------------------------------

TINY_POLICY = textwrap.dedent(f"""
    [policy]
    name = "klein"
    label_nl = "klein"
    label_en = "tiny"
    year = 2025
    [passend_toewijzen]
    min_share = 0.95
    [passend_toewijzen.limits.2025]
    income_single = 28375
    income_multi = 38500
    income_single_aow = 27775
    income_multi_aow = 37350
    rent_small = 682.96
    rent_large = 731.93
    [daeb]
    min_share = 0.925
    [daeb.limits.2025]
    income_single = 49669
    income_multi = 54847
    [wbmgp]
    buurten = ["{A}"]
    [vulnerable_caps]
    by = "vitaliteit"
    [[vulnerable_caps.bands]]
    at_least = 9
    max_share = 0.34
    [[vulnerable_caps.bands]]
    at_least = 0
    max_share = 1.0
    [uitstroom_quota]
    dwellings = 1
    max_factor = 1.0
""")

TINY_INFO = pd.DataFrame({"buurt_code": [A, B], "score": [12.0, 2.0], "stock": [100, 100]})


def _applicant(i, income, source="werk", years=10, **flags):
    row = {
        "applicant_id": f"P{i}",
        "household_size": 1,
        "household_type": "alleenstaand",
        "age": 40,
        "income": income,
        "income_source": source,
        "registration_date": "2020-01-01",
        "years_in_region": years,
        "urgent": "nee",
        "uitstroom_ggz": "nee",
        "uitstroom_mo": "nee",
        "uitstroom_bw": "nee",
        "statushouder": "nee",
        "commitment_buurt": "",
        "commitment_kind": "",
    }
    row.update({k: "ja" for k, v in flags.items() if v})
    return row


@pytest.fixture
def tiny(tmp_path) -> Path:
    vacancies = pd.DataFrame(
        {
            "vacancy_id": [f"V{i}" for i in range(1, 7)],
            "dwelling_id": "",
            "buurt_code": [A, A, B, B, B, A],
            "rent": [600, 750, 600, 750, 650, 650],
            "rooms": 3,
            "dwelling_type": "portiek",
            "published": "",
        }
    )
    applicants = pd.DataFrame(
        [
            _applicant(1, 20000),
            _applicant(2, 20000, "uitkering", uitstroom_ggz=True),
            _applicant(3, 60000),
            _applicant(4, 20000, "uitkering", years=2),
            _applicant(5, 40000),
            _applicant(7, 20000),
            _applicant(8, 20000, uitstroom_mo=True),
            _applicant(9, 20000, statushouder=True),
            _applicant(10, 20000, uitstroom_bw=True),
        ]
    )
    rows = [
        (a, v)
        for a in applicants["applicant_id"]
        for v in vacancies["vacancy_id"]
        if not (a == "P7" and v not in ("V1", "V4", "V6"))
    ]
    responses = pd.DataFrame(rows, columns=["applicant_id", "vacancy_id"])
    responses["buurt_code"] = ""
    responses["rank"] = responses.groupby("applicant_id").cumcount() + 1
    for name, frame in (("vacancies", vacancies), ("applicants", applicants), ("responses", responses)):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    return tmp_path


VALID = [("P1", "V1"), ("P2", "V6"), ("P5", "V2")]
BROKEN = {
    "one_per_applicant": VALID + [("P1", "V3")],
    "one_per_vacancy": VALID + [("P7", "V1")],
    "responded": VALID + [("P7", "V5")],
    "wbmgp": [("P1", "V1"), ("P2", "V3"), ("P4", "V6")],
    "passend_toewijzen": VALID + [("P7", "V4")],
    "daeb": VALID + [("P3", "V4")],
    "vulnerable_cap": [("P9", "V1"), ("P2", "V6"), ("P5", "V2")],
    "uitstroom_quota": [("P1", "V1"), ("P5", "V2")],
    "uitstroom_spread": [("P1", "V1"), ("P5", "V2"), ("P8", "V3"), ("P10", "V5")],
}


def _check(tiny, pairs):
    inputs = read_allocation_inputs(tiny)
    frame = pd.DataFrame(pairs, columns=["applicant_id", "vacancy_id"])
    return check_assignment(frame, inputs, parse_policy(TINY_POLICY), TINY_INFO)


def test_valid_assignment_passes_the_checker(tiny):
    assert _check(tiny, VALID).empty


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_checker_catches_each_rule_broken_on_purpose(tiny, rule):
    found = _check(tiny, BROKEN[rule])
    assert set(found["rule"]) == {rule}, found
    assert found["detail"].str.len().gt(10).all()


def test_optimiser_on_the_tiny_round_keeps_every_rule_and_is_exact(tiny):
    inputs = read_allocation_inputs(tiny)
    policy = parse_policy(TINY_POLICY)
    inst = build_instance(inputs, policy, TINY_INFO)
    sol = optimise(inst)
    status, _, best, _ = solve_exact(inst)
    assert status == "optimal" and sol.objective == best
    assert check_assignment(assignment_table(inst, sol.selected), inputs, policy, TINY_INFO).empty
    assert inst.excluded["wbmgp"] == 3  # P4 (2 years in the region, uitkering) × the 3 vacancies of buurt A


# -- the optimiser against exact solutions on small generated rounds ---------------------------------------------


@pytest.fixture(scope="module")
def utrecht_stock(demo_data) -> pd.DataFrame:
    d = pd.read_csv(demo_data / "dwellings.csv", dtype=str)
    d = d[d["buurt_code"].notna()].reset_index(drop=True)
    d["rent"] = d["rent"].astype(float)
    return d[d["buurt_code"].isin(sorted(d["buurt_code"].unique())[:6])]


def _small(tmp_path, stock, seed, policy):
    generate_allocation(tmp_path / str(seed), stock, seed=seed, n_vacancies=40, n_applicants=150, responses_mean=4)
    inputs = read_allocation_inputs(tmp_path / str(seed))
    codes = sorted(inputs.vacancies["buurt_code"].unique())
    info = pd.DataFrame({"buurt_code": codes, "score": [12, 9, 4, 2, 1, 6][: len(codes)], "stock": 100})
    return inputs, info, build_instance(inputs, policy, info)


@pytest.mark.slow  # CP-SAT on seeded rounds
def test_uncapped_min_cost_flow_equals_cp_sat_and_scipy(tmp_path, utrecht_stock):
    policy = parse_policy('[policy]\nname = "vrij"\nlabel_nl = "vrij"\nlabel_en = "free"\nyear = 2025\n')
    for seed in range(8):
        _, _, inst = _small(tmp_path, utrecht_stock, seed, policy)
        sol = optimise(inst)
        assert sol.status == "optimal" and sol.method == "min-cost flow"
        status, _, best, _ = solve_exact(inst)
        assert status == "optimal" and sol.objective == best
        # scipy's assignment solver, independent of OR-Tools: dense matrix with 0 for "no letting"
        matrix = np.zeros((len(inst.applicants), len(inst.vacancies)))
        matrix[inst.arc_applicant, inst.arc_vacancy] = inst.value
        rows, cols = linear_sum_assignment(matrix, maximize=True)
        assert matrix[rows, cols].sum() == sol.objective


@pytest.mark.slow  # CP-SAT on seeded rounds
def test_capped_optimiser_equals_cp_sat_and_its_heuristic_bound_holds(tmp_path, utrecht_stock):
    policy, _ = load_policy("spreiden")
    exact_heuristic = 0
    for seed in range(12):
        inputs, info, inst = _small(tmp_path, utrecht_stock, seed, policy)
        assert inst.A.shape[0] > 10
        status, _, best, _ = solve_exact(inst)
        assert status == "optimal"
        heuristic = optimise(inst, exact_arc_limit=0)  # min-cost flow + Lagrange + repair only
        assert heuristic.status in ("optimal", "feasible")
        assert heuristic.objective <= best <= heuristic.bound  # a feasible value and a true upper bound
        exact_heuristic += heuristic.objective == best
        full = optimise(inst)  # default: CP-SAT closes a gap where it is small
        assert full.objective == best
        assert check_assignment(assignment_table(inst, full.selected), inputs, policy, info).empty
    assert exact_heuristic >= 3  # measured 8 of 20 on these seeds; the rest within its reported bound


def test_infeasible_policy_is_explained_not_a_traceback(tiny):
    inputs = read_allocation_inputs(tiny)
    policy = parse_policy(TINY_POLICY.replace("dwellings = 1", "dwellings = 5"))
    result = run_policy(inputs, policy, TINY_POLICY, TINY_INFO)
    assert result.status == "infeasible"
    assert "uitstroom_quota" in set(result.violations["rule"])
    text = "\n".join(result.explanation)
    assert "uitstroom_quota" in text and "CP-SAT bewijst" in text
    assert "zonder de regel 'uitstroom_quota'" in text


def test_baselines_keep_their_rules_and_the_optimiser_fits_preferences_better(demo_workspace, demo_data):
    from wijkvitaliteit import pipeline
    from wijkvitaliteit.workspace.store import Workspace

    policy, text = load_policy("spreiden")
    with Workspace(demo_workspace, read_only=True) as ws:
        ctx = pipeline.allocation_context(ws, policy.policy.year)
    info = ctx.buurt_info.rename(columns={"vitaliteit": "score"})[["buurt_code", "score", "stock"]]
    inputs = read_allocation_inputs(demo_data / ALLOCATION_DIR, ctx.known_buurten)
    inst = build_instance(inputs, policy, info)
    greedy = run_policy(inputs, policy, text, info, "greedy", instance=inst)
    practice = run_policy(inputs, policy, text, info, "practice", instance=inst)
    best = run_policy(inputs, policy, text, info, "optimiser", instance=inst)
    assert greedy.violations.empty and best.violations.empty
    # today's practice keeps the legal rules but not the caps
    assert not practice.violations.empty
    assert set(practice.violations["rule"]) <= {"vulnerable_cap", "uitstroom_spread", "uitstroom_quota"}
    assert best.metrics["preference_fit"] > 1.1 * greedy.metrics["preference_fit"]
    assert best.objective >= greedy.objective
    assert best.gap is not None and best.gap < 0.02
    # flagged buurten (vitality >= 9) get at most 10 % vulnerable households among their vacancies
    flagged = best.buurten[best.buurten["score"] >= 9]
    assert len(flagged) > 5
    assert (flagged["vulnerable"] <= np.floor(0.10 * flagged["vacancies"] + 1e-9)).all()


def test_stored_comparison_projects_fewer_flagged_buurten_with_caps(demo_workspace):
    from wijkvitaliteit.present.allocation import comparison
    from wijkvitaliteit.workspace.store import Workspace

    with Workspace(demo_workspace, read_only=True) as ws:
        table = comparison(ws)
        buurten = ws.query("SELECT * FROM allocation_buurten")
        runs = ws.query("SELECT run_id, policy_name, method FROM allocation_runs")
    assert len(table) == 6
    key = table.set_index(["policy_name", "method_id"])
    assert key.loc[("spreiden", "optimiser"), "violations"] == 0
    assert key.loc[("spreiden", "practice"), "violations"] > 0
    assert key.loc[("spreiden", "optimiser"), "attention_projected"] <= key.loc[("basis", "optimiser"), "attention_projected"]
    # the projection's inflow equals a recount from the stored lettings of that run
    run_id = int(runs[(runs.policy_name == "spreiden") & (runs.method == "optimiser")]["run_id"].iloc[0])
    mine = buurten[buurten.run_id == run_id].set_index("buurt_code")
    with Workspace(demo_workspace, read_only=True) as ws:
        lets = ws.query(
            "SELECT buurt_code, count(*) n, sum(vulnerable::INT) v FROM allocation_lettings WHERE run_id = ? GROUP BY 1", [run_id]
        ).set_index("buurt_code")
    assert (mine.loc[lets.index, "lettings"] == lets["n"]).all()
    assert (mine.loc[lets.index, "vulnerable"] == lets["v"]).all()


def test_projected_window_share_matches_a_recount(demo_workspace):
    """Projected corp.vulnerable_share (window 2023–2025) = stored lettings 2023–2024 + the run's 2025 lettings."""
    from wijkvitaliteit.workspace.store import Workspace

    with Workspace(demo_workspace, read_only=True) as ws:
        run_id = int(
            ws.query("SELECT run_id FROM allocation_runs WHERE policy_name = 'spreiden' AND method = 'optimiser'").iloc[0, 0]
        )
        recount = ws.query(
            """
            WITH l AS (SELECT buurt_code, vulnerable FROM corp_lettings WHERE year(start_date) IN (2023, 2024)
                       UNION ALL SELECT buurt_code, vulnerable FROM allocation_lettings WHERE run_id = ?)
            SELECT buurt_code, avg(vulnerable::DOUBLE) AS share, count(*) AS n FROM l GROUP BY 1""",
            [run_id],
        )
        stored = ws.query("SELECT buurt_code, vulnerable_share_window FROM allocation_buurten WHERE run_id = ?", [run_id])
    both = recount[recount["n"] >= 5].merge(stored, on="buurt_code")
    assert len(both) > 100
    assert np.allclose(both["share"], both["vulnerable_share_window"], atol=1e-12)


# -- inputs, policies and the CLI ----------------------------------------------------------------------------------


def test_bundled_policies_parse_and_bad_policies_say_what_is_wrong(tmp_path):
    for name in ("basis", "spreiden"):
        policy, _ = load_policy(name)
        assert policy.policy.year == 2025
    with pytest.raises(InputError, match="multiple of 0.001"):
        parse_policy(TINY_POLICY.replace("min_share = 0.925", "min_share = 0.9255"))
    with pytest.raises(InputError, match="no limits for the policy year 2026"):
        parse_policy(TINY_POLICY.replace("year = 2025", "year = 2026"))
    with pytest.raises(InputError, match="one of them"):
        parse_policy(TINY_POLICY.replace("dwellings = 1", "dwellings = 1\nshare = 0.05"))


def test_reader_refuses_unknown_references_with_row_and_column(tiny):
    responses = pd.read_csv(tiny / "responses.csv", dtype=str, keep_default_na=False)
    responses.loc[4, "vacancy_id"] = "V99"
    responses.to_csv(tiny / "responses.csv", index=False)
    with pytest.raises(InputError) as exc:
        read_allocation_inputs(tiny)
    assert "responses.csv, row 6, column 'vacancy_id'" in exc.value.one_line() and "V99" in exc.value.one_line()


def test_buurt_responses_expand_to_each_vacancy_in_the_buurt(tiny):
    responses = pd.DataFrame({"applicant_id": ["P1", "P2"], "vacancy_id": ["", "V1"], "buurt_code": [B, ""], "rank": [1, 1]})
    responses.to_csv(tiny / "responses.csv", index=False)
    inputs = read_allocation_inputs(tiny)
    assert sorted(inputs.responses[inputs.responses.applicant_id == "P1"]["vacancy_id"]) == ["V3", "V4", "V5"]


def test_cli_allocate_check_and_compare(workspace_copy, demo_data, tmp_path):
    inputs = str(demo_data / ALLOCATION_DIR)
    out = tmp_path / "toewijzing.csv"
    done = run_cli("allocate", "--policy", "spreiden", "--input", inputs, "--out", str(out), "-w", str(workspace_copy))
    assert done.returncode == 0, done.stderr
    assert "regels zonder ruimte" in done.stdout
    checked = run_cli(
        "allocate", "check", "--policy", "spreiden", "--input", inputs, "--assignment", str(out), "-w", str(workspace_copy)
    )
    assert checked.returncode == 0 and "houden zich aan elke regel" in checked.stdout
    practice = tmp_path / "praktijk.csv"
    run_cli(
        "allocate",
        "--policy",
        "basis",
        "--method",
        "practice",
        "--input",
        inputs,
        "--out",
        str(practice),
        "-w",
        str(workspace_copy),
    )
    broken = run_cli(
        "allocate", "check", "--policy", "spreiden", "--input", inputs, "--assignment", str(practice), "-w", str(workspace_copy)
    )
    assert broken.returncode == 1 and "vulnerable_cap" in broken.stdout
    bad = run_cli("allocate", "--policy", str(tmp_path / "nope.toml"), "--input", inputs, "-w", str(workspace_copy))
    assert bad.returncode == 2 and "nope.toml" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_infeasible_policy_exits_1_with_the_reason(workspace_copy, demo_data, tmp_path):
    text = load_policy("spreiden")[1].replace("share = 0.05 ", "share = 0.90 ")
    policy = tmp_path / "te-veel.toml"
    policy.write_text(text, encoding="utf-8")
    done = run_cli("allocate", "--policy", str(policy), "--input", str(demo_data / ALLOCATION_DIR), "-w", str(workspace_copy))
    assert done.returncode == 1, done.stderr
    assert "uitstroom_quota" in done.stdout and "Traceback" not in done.stderr


def test_value_units(tiny):
    inst = build_instance(read_allocation_inputs(tiny), parse_policy(TINY_POLICY), TINY_INFO)
    x = max_weight_matching(inst, inst.value)
    assert inst.value[x].sum() / SCALE > 10 * x.sum()  # every letting is worth at least the fill points
    assert baselines.practice(inst).sum() >= 1
