"""The dashboard in a real browser: Playwright driving Debian's headless chromium (/usr/bin/chromium).

Every test's page fixture fails the test if any request went to a host other than the local server.
Screenshots land in test-artifacts/."""

from __future__ import annotations

import re

from tests.conftest import screenshot


def test_gemeente_map_is_drawn_and_malvert_opens_its_page(page, live_server):
    page.goto(f"{live_server}/gemeente/GM0268")
    page.wait_for_selector("svg.map path.area")
    assert page.locator("svg.map path.area").count() == 44
    assert page.locator("svg.map path.area title").count() == 44
    screenshot(page, "gemeente-nijmegen")
    page.locator('svg.map a[data-code="BU02680736"]').click()
    page.wait_for_url(re.compile(r"/buurt/BU02680736$"))
    assert page.locator("h1").inner_text().startswith("Malvert")
    factors = page.locator("li.factor h3")
    assert factors.count() == 3
    text = " ".join(factors.all_inner_texts()).lower()
    for factor in ("leefbaarheid", "organisatiekracht", "veerkracht"):
        assert factor in text
    page.wait_for_selector("#trend-chart .main-svg")  # plotly drew the trend from the local plotly.js
    screenshot(page, "buurt-malvert")


def test_national_overview_links_gemeenten_and_shows_wijken_when_zoomed(page, live_server):
    page.goto(f"{live_server}/nederland")
    page.wait_for_selector("svg.map path.area")
    assert page.locator(".gemeente-layer svg.map path.area").count() == 355
    screenshot(page, "nederland")
    for _ in range(3):
        page.get_by_role("button", name=re.compile("Inzoomen")).click()
    page.wait_for_selector(".wijk-layer svg.map path.area")
    assert page.locator(".wijk-layer svg.map path.area").count() > 3000
    assert page.locator(".gemeente-layer").is_hidden()
    screenshot(page, "nederland-wijken")
    page.get_by_role("button", name="Hele kaart").click()
    page.locator('.gemeente-layer a[data-code="GM0268"]').click()
    page.wait_for_url(re.compile(r"/gemeente/GM0268$"))


def test_vitality_layer_on_the_national_map(page, live_server):
    page.goto(f"{live_server}/nederland?laag=vitaliteit")
    titles = page.locator('.gemeente-layer a[data-code="GM0268"]').get_attribute("aria-label")
    assert "buurten met aandacht" in titles
    assert "geen corporatiebezit" in page.locator('.gemeente-layer a[data-code="GM0363"]').get_attribute("aria-label")


def test_language_switch_persists(page, live_server):
    page.goto(f"{live_server}/gemeente/GM0268")
    assert "Aandachtslijst" in page.locator("aside h2").inner_text()
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("text=Attention list")
    page.get_by_role("link", name="Netherlands").click()
    page.wait_for_url(re.compile(r"/nederland"))
    assert "per municipality" in page.locator("h1").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "nederland-english")


def test_search_finds_a_buurt(page, live_server):
    page.goto(f"{live_server}/nederland")
    page.get_by_label("Zoek een buurt of gemeente").fill("Malvert")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/buurt/BU02680736$"))
    page.goto(f"{live_server}/zoek?q=zwanen")
    assert page.locator("ul.results li").count() >= 1
    screenshot(page, "zoeken")


def test_attention_list_works_by_keyboard(page, live_server):
    page.goto(f"{live_server}/gemeente/GM0268")
    rows = page.locator("#attention-table tbody tr")
    total = rows.count()
    assert total > 0
    # sort by score with the keyboard
    page.locator("#attention-table th button", has_text="score").focus()
    page.keyboard.press("Enter")
    assert page.locator("#attention-table th[aria-sort]").count() == 1
    # filter, then follow the remaining row's link with Tab + Enter
    page.get_by_label("Filter").focus()
    page.keyboard.type("Malvert")
    visible = [r for r in rows.all() if r.is_visible()]
    assert len(visible) == 1
    focused = None
    for _ in range(8):  # past the column sort buttons to the first visible row's link
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        if focused:
            break
    assert focused and focused.startswith("/buurt/BU02680736")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/buurt/BU02680736"))


def test_basic_accessibility(page, live_server):
    for path in ("/nederland", "/gemeente/GM0268", "/buurt/BU02680736", "/veranderingen/GM0268", "/model"):
        page.goto(f"{live_server}{path}")
        # every form control has a label
        unlabeled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select')]
            .filter(el => !(el.id && document.querySelector(`label[for="${el.id}"]`)) && !el.closest('label')
                          && !el.getAttribute('aria-label')).map(el => el.outerHTML)""")
        assert not unlabeled, (path, unlabeled)
        assert page.evaluate("() => [...document.querySelectorAll('img')].every(i => i.alt)"), path
        assert page.evaluate("() => [...document.querySelectorAll('svg.map')].every(s => s.getAttribute('aria-label'))")
        assert page.locator("html").get_attribute("lang") == "nl"
    # the category is written out, not only coloured
    page.goto(f"{live_server}/gemeente/GM0268")
    categories = page.locator("#attention-table tbody tr td:last-child").all_inner_texts()
    assert categories and all(c in ("kwetsbaar", "laag vitaal", "onvolledig") for c in categories)
    malvert = page.locator('svg.map a[data-code="BU02680736"]').get_attribute("aria-label")
    assert "laag vitaal" in malvert or "kwetsbaar" in malvert


def test_changes_page_and_model_page(page, live_server):
    page.goto(f"{live_server}/veranderingen/GM0344?van=2019&tot=2024")
    assert "→" in page.locator("h1").inner_text()
    screenshot(page, "veranderingen-utrecht")
    page.goto(f"{live_server}/model")
    assert page.locator("code").first.inner_text()
    screenshot(page, "model")


def test_api_docs_render_offline(page, live_server):
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() >= 6
    screenshot(page, "api-docs")


def test_unknown_buurt_page_offers_suggestions(page, live_server):
    response = page.goto(f"{live_server}/buurt/Malvrt")
    assert response.status == 404
    page.get_by_role("link", name="Malvert").click()
    page.wait_for_url(re.compile(r"/buurt/BU02680736$"))


def test_analysis_pages_render_and_sort(page, live_server):
    page.goto(f"{live_server}/analyse/gevoeligheid")
    rows = page.locator("table.sortable tbody tr")
    assert rows.count() > 100
    page.locator("table.sortable th button", has_text="kans op aandacht").click()
    assert page.locator("table.sortable th[aria-sort]").count() == 1
    screenshot(page, "analyse-gevoeligheid")
    page.goto(f"{live_server}/analyse/veerkracht")
    assert "aandeel kwetsbare instroom" in page.locator("table").first.inner_text()
    page.goto(f"{live_server}/analyse/segregatie?groep=bijstand&gemeente=GM0344")
    assert page.locator("table").count() == 3


def test_allocation_page_compares_policies_with_maps(page, live_server):
    page.goto(f"{live_server}/toewijzing")
    rows = page.locator("#comparison tbody tr")
    assert rows.count() == 6
    text = page.locator("#comparison").inner_text()
    assert "Spreiden naar vitaliteit" in text and "huidige praktijk" in text
    # five small maps of Nijmegen (now, and per policy the optimiser and today's practice), 44 buurten each
    assert page.locator(".small-map").count() == 5
    assert page.locator(".small-map svg path.area").count() == 5 * 44
    assert "vulnerable_cap" in page.locator("ul.rules").inner_text()
    page.select_option("#gemeente", "GM0344")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(re.compile(r"gemeente=GM0344"))
    assert page.locator(".small-map svg").first.locator("path.area").count() > 100
    screenshot(page, "toewijzing-utrecht")
    # sorting by a number column works in the browser
    page.locator("#comparison thead button", has_text="preference_fit").click()
    values = [
        float(v)
        for v in page.locator("#comparison tbody td:nth-child(7)").evaluate_all("cells => cells.map(c => c.dataset.value)")
    ]
    assert values == sorted(values) or values == sorted(values, reverse=True)


def test_no_page_breaks_the_content_security_policy(page, live_server):
    """Every page works under the CSP (no inline script or handler): choices still submit, charts still draw."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    for path in (
        "/nederland",
        "/gemeente/GM0268",
        "/buurt/BU02680736",
        "/runs",
        "/toewijzing",
        "/analyse/segregatie",
        "/model",
        "/veranderingen/GM0268",
    ):
        page.goto(live_server + path)
    page.goto(live_server + "/buurt/BU02680736")
    page.wait_for_selector("#trend-chart .main-svg")
    page.goto(live_server + "/gemeente/GM0268")
    page.select_option("#kaart", "lbm")
    page.wait_for_url(re.compile(r".*kaart=lbm.*"))
    assert not refused, refused[:3]
