"""The HTTP API and pages at the HTTP level: JSON and CSV twins, errors, language, no outside URLs."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from wijkvitaliteit.web.app import create_app
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace


@pytest.fixture(scope="module")
def client(demo_workspace):
    return TestClient(create_app(demo_workspace))


PAGES = [
    "/nederland",
    "/gemeente/GM0268",
    "/gemeente/GM0344",
    "/buurt/BU02680736",
    "/veranderingen/GM0268",
    "/model",
    "/zoek?q=malv",
    "/analyse/veerkracht",
    "/analyse/segregatie?groep=bijstand&gemeente=GM0344",
    "/analyse/gevoeligheid",
]


def _twin(path: str, suffix: str) -> str:
    base, _, query = path.partition("?")
    return base + suffix + (f"?{query}" if query else "")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_json_and_csv_twins(client, path):
    html = client.get(path)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    as_json = client.get(_twin(path, ".json"))
    assert as_json.status_code == 200 and as_json.headers["content-type"] == "application/json"
    as_csv = client.get(_twin(path, ".csv"))
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert len(pd.read_csv(io.StringIO(as_csv.text))) > 0
    # no page refers to anything outside this server
    assert not re.search(r'(src|href)="(https?:)?//', html.text), path


def test_gemeente_json_counts_match_the_workspace(client, demo_workspace):
    data = client.get("/gemeente/GM0268.json").json()
    with Workspace(demo_workspace, read_only=True) as ws:
        stored = (
            ws.query(
                """SELECT category, count(*) n FROM scores s JOIN areas a ON a.code = s.area_code
                             WHERE a.gemeente_code = 'GM0268' AND s.year = ? AND s.category IS NOT NULL
                             GROUP BY 1""",
                [data["year"]],
            )
            .set_index("category")["n"]
            .to_dict()
        )
        flagged = ws.query(
            """SELECT count(*) FROM scores s JOIN areas a ON a.code = s.area_code
                              WHERE a.gemeente_code = 'GM0268' AND s.year = ? AND s.attention""",
            [data["year"]],
        ).iloc[0, 0]
    assert {k: v for k, v in data["counts"].items() if k in stored} == stored
    assert len(data["attention"]) == flagged
    assert len(data["buurten"]) == 44
    csv = pd.read_csv(io.StringIO(client.get("/gemeente/GM0268.csv").text))
    assert sorted(csv["code"]) == sorted(b["code"] for b in data["buurten"])


def test_buurt_json_explains_every_factor(client):
    data = client.get("/buurt/BU02680736.json").json()
    assert data["name"] == "Malvert" and data["gemeente_code"] == "GM0268"
    assert {f["factor"] for f in data["factors"]} == {"leefbaarheid", "organisatiekracht", "veerkracht"}
    lbm = next(i for i in data["indicators"] if i["indicator"] == "lbm.afw")
    assert lbm["value_year"] == 2020 and lbm["reference"] == "all" and lbm["reference_n"] > 11_000
    assert [r["year"] for r in data["leefbaarometer_trend"]] == [2002, 2008, 2012, 2014, 2016, 2018, 2020]
    assert data["leefbaarometer_versions"] == ["Leefbaarometer 1.0", "Leefbaarometer 2.0", "Leefbaarometer 3.0"]
    assert 0 <= data["percentile"]["pct"] <= 100
    assert data["corporation"] and data["comparison"]


def test_changes_name_the_factors_that_moved(client):
    data = client.get("/veranderingen/GM0344.json?van=2019&tot=2024&alle=true").json()
    changed = [b for b in data["buurten"] if b["category_changed"]]
    assert data["changed"] == len(changed)
    for b in changed:
        if b["category_from"] and b["category_to"]:
            assert b["factors_changed"], b


def test_unknown_buurt_is_a_404_with_suggestions(client):
    response = client.get("/buurt/Malvrt")
    assert response.status_code == 404
    assert 'href="/buurt/BU02680736"' in response.text
    twin = client.get("/buurt/Malvrt.json")
    assert twin.status_code == 404 and any(s["code"] == "BU02680736" for s in twin.json()["suggestions"])


@pytest.mark.parametrize(
    "path",
    [
        "/gemeente/GM0268?jaar=abc",
        "/gemeente/GM0268?jaar=1800",
        "/gemeente/GM0268?jaar=2001",
        "/gemeente/GM0268?kaart=rainbow",
        "/veranderingen/GM0268?van=2024&tot=2019",
        "/nederland?laag=x",
        "/buurt/BU02680736.json?jaar=2001",
    ],
)
def test_bad_parameters_are_a_422_with_a_message(client, path):
    response = client.get(path)
    assert response.status_code == 422, response.text[:300]
    text = response.json()["detail"] if ".json" in path else response.text
    assert "jaar" in text or "kaart" in text or "van" in text or "laag" in text


def test_unknown_gemeente_and_path_are_404(client):
    assert client.get("/gemeente/GM9999").status_code == 404
    assert client.get("/gemeente/GM9999.json").status_code == 404
    assert client.get("/bestaat-niet").status_code == 404


def test_search_redirects_on_an_exact_match(client):
    response = client.get("/zoek?q=Malvert", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/buurt/BU02680736"
    assert any(r["code"] == "BU02680736" for r in client.get("/zoek.json?q=malver").json()["results"])


def test_language_switch_persists_in_a_cookie(demo_workspace):
    fresh = TestClient(create_app(demo_workspace))
    assert "Aandachtslijst" in fresh.get("/gemeente/GM0268").text
    assert "Attention list" in fresh.get("/gemeente/GM0268?lang=en").text
    assert "Attention list" in fresh.get("/gemeente/GM0268").text  # the cookie keeps it
    assert "Aandachtslijst" in fresh.get("/gemeente/GM0268?lang=nl").text


def test_openapi_describes_the_json_api(client):
    spec = client.get("/openapi.json").json()
    for path in (
        "/nederland.json",
        "/gemeente/{code}.json",
        "/buurt/{code}.json",
        "/veranderingen/{code}.json",
        "/model.json",
        "/zoek.json",
    ):
        assert path in spec["paths"], path
    docs = client.get("/docs").text
    assert "/static-offline-docs/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()


def test_model_page_shows_the_active_model_and_hash(client, demo_workspace):
    with Workspace(demo_workspace, read_only=True) as ws:
        model_hash = queries.score_run(ws)["model_hash"]
    data = client.get("/model.json").json()
    assert data["hash"] == model_hash and data["attention_threshold"] == 9
    assert model_hash in client.get("/model").text


@pytest.mark.parametrize(
    ("kind", "media", "magic"),
    [
        ("pdf", "application/pdf", b"%PDF"),
        ("xlsx", "application/vnd.openxmlformats", b"PK"),
        ("gpkg", "application/geopackage", b"SQLite format 3"),
        ("html", "text/html", b"<!doctype html>"),
    ],
)
def test_gemeente_downloads(client, kind, media, magic):
    page = client.get("/gemeente/GM0268").text
    assert f"/gemeente/GM0268/download.{kind}" in page
    response = client.get(f"/gemeente/GM0268/download.{kind}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert response.content.startswith(magic)


def test_bad_download_requests(client):
    assert client.get("/gemeente/GM0268/download.exe").status_code == 422
    assert client.get("/gemeente/GM9999/download.pdf").status_code == 404
    assert client.get("/gemeente/GM0268/download.pdf?jaar=1999").status_code == 422


def test_analysis_twins_carry_the_results(client):
    resilience = client.get("/analyse/veerkracht.json").json()
    assert {c["term"] for c in resilience["coefficients"]} == {"vulnerable_share", "vulnerable_share × corporation_share"}
    assert {b["label"] for b in resilience["buurten"]} <= {"absorbs", "as_expected", "under_pressure", "too_few_years"}
    seg = client.get("/analyse/segregatie.json?groep=bijstand&gemeente=GM0344").json()
    assert [r["gemeente_code"] for r in seg["indices"]] == ["GM0344"] and len(seg["centre_profile"]) == 5
    sens = client.get("/analyse/gevoeligheid.json").json()
    assert sens["draws"] == 10_000 and sum(sens["counts"].values()) == len(sens["buurten"])
    assert client.get("/analyse/segregatie?groep=onzin").status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/gemeente/GM0003",
        "/buurt/BU00030000",
        "/buurt/BU00030000.json",
        "/gemeente/GM0003/download.xlsx",
        "/veranderingen/GM0003",
    ],
)
def test_a_gemeente_without_boundaries_or_corporation_still_answers(client, path):
    """Appingedam has Leefbaarometer scores but no boundaries and no corporation in the demo workspace."""
    assert client.get(path).status_code == 200


def test_geopackage_of_a_gemeente_without_boundaries_is_a_422(client):
    response = client.get("/gemeente/GM0003/download.gpkg")
    assert response.status_code == 422 and "boundaries" in response.text


def test_a_gemeentes_buurt_pages_built_together_equal_each_built_alone(demo_workspace):
    """The web builds all buurt pages of a gemeente and year at once (issue 12, item 15): each must be the page
    built for that buurt alone, for every buurt of Nijmegen, in the latest year and in 2019."""
    import json

    from wijkvitaliteit.present import pages
    from wijkvitaliteit.scoring.runs import active_run

    with Workspace(demo_workspace, read_only=True) as ws:
        run = active_run(ws)
        areas = queries.gemeente_buurt_rows(ws, "GM0268")
        years = queries.scored_years(ws, run.run_id, "GM0268")
        for year in (years[-1], 2019):
            together = pages.buurt_pages(ws, run, areas, years, year)
            assert set(together) == set(areas["code"]) and len(together) > 40
            for code in areas["code"]:
                alone = pages.buurt(ws, run, code, year)
                assert json.dumps(together[code].data, default=str, sort_keys=True) == json.dumps(
                    alone.data, default=str, sort_keys=True
                ), code


@pytest.mark.parametrize("gemeente", ["GM0268", "GM0344"])
def test_every_map_layer_in_every_year_answers(client, gemeente):
    """No parameter combination the gemeente page offers gives a 500 (issue 15, item 1): a layer without values in
    a year (a Leefbaarometer dimension before 2014) says so on the map."""
    from wijkvitaliteit.present.pages import MAP_LAYERS

    years = client.get(f"/gemeente/{gemeente}.json").json()["years"]
    assert len(years) > 5
    empty = 0
    for layer in MAP_LAYERS:
        for year in years:
            response = client.get(f"/gemeente/{gemeente}?kaart={layer}&jaar={year}")
            assert response.status_code == 200, (layer, year)
            if "bestaan vanaf 2014" in response.text:
                empty += 1
                assert layer in ("fys", "onv", "soc", "vrz", "won") and year < 2014, (layer, year)
    assert empty > 0  # the case exists in the demo: Leefbaarometer 1.0/2.0 years without dimensions


CODE_NAMES = re.compile(
    r"\b(gemeente_name|gemeente_code|group_share|location_quotient|km_from_centre|p_flagged|rank_p0?5|rank_p95|"
    r"stable_flagged|stable_not_flagged|under_pressure|as_expected|too_few_years|vulnerable_share|"
    r"ci_low|ci_high|p_value|difference_low|difference_high|kwb\.[a-z_]+|corp\.[a-z_]+)\b"
)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(
    "path", ["/analyse/veerkracht", "/analyse/segregatie?groep=kwetsbaar&gemeente=GM0268", "/analyse/gevoeligheid"]
)
def test_analysis_pages_speak_in_words_not_code_names(client, path, lang):
    """Headers, categories, the sensitivity summary and the segregation question in the language's words; the year
    as a year (2023, not 2.023); a sentence under each table; the JSON twin keeps the ids for programs."""
    html = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}").text
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", re.sub(r'\s(value|data-value|name|id|for|href|class|data-sort)="[^"]*"', "", body))
    assert not CODE_NAMES.findall(text), CODE_NAMES.findall(text)[:5]
    assert "{" not in text  # never a dict or a template hole
    if "segregatie" in path:
        assert re.search(r"Nijmegen\s+20[12]\d\s", text) and not re.search(r"Nijmegen\s+2[.,]0\d\d", text)  # the year
    assert body.count('<p class="note">') >= 2  # the intro and a sentence per table
    words = {"nl": ("buurt", "gemeente"), "en": ("neighbourhood", "municipality")}[lang]
    assert all(w in text for w in words)
    if lang == "en":
        assert not re.search(r"\b(buurten|gemeente|aandacht|kwetsbare|oordeel|trekkingen)\b", text), path
    twin = client.get(path.replace("?", ".json?") if "?" in path else path + ".json").text
    assert CODE_NAMES.search(twin)  # the ids stay in the JSON for programs
