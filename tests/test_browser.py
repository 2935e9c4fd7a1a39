"""The web interface in a real browser: `policykg serve` on 127.0.0.1, driven through Debian's
headless Chromium (playwright pointed at /usr/bin/chromium): ask → cited clause → parent
alignment → drafter → SPARQL console, with screenshots saved to tests/screenshots/.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import live_server, require_service

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def readme_store(tmp_path_factory, cli, corpus_dirs) -> Path:
    """The store a newcomer builds with the README's command (the project corpus + the shared one)."""
    folder = tmp_path_factory.mktemp("browser") / "kg"
    args = ["build", "--store", str(folder)]
    for d in corpus_dirs:
        args += ["--corpus", str(d)]
    result = cli(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    return folder


@pytest.fixture(scope="module")
def server(readme_store):
    with live_server(readme_store) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    require_service("Chromium", bool(shutil.which("chromium")) and os.path.exists(CHROMIUM))
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        # offline: the page may load nothing but what our server serves
        outside: list[str] = []

        def guard(route):
            if route.request.url.startswith(server):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        yield pg
        assert not outside, f"the page tried to load from outside the server: {outside[:5]}"
        context.close()
        browser.close()


def test_ask_clause_alignment_drafter_sparql(server, page):
    from playwright.sync_api import expect

    # 1. Ask, from the question box
    page.goto(server + "/")
    expect(page.locator("a.example")).not_to_have_count(0)
    page.fill("#q", "What does a C-tier talent receive?")
    page.click("form.ask button")
    page.wait_for_selector("#answer")
    expect(page.locator("#answer .answer-text")).not_to_be_empty()
    cited = page.locator("#cited")
    expect(cited).to_contain_text("jiading-draft")
    expect(cited).to_contain_text("（九）")
    mark = cited.locator("mark")
    expect(mark).to_have_count(1)
    assert len(mark.inner_text()) >= 10 and mark.inner_text() in cited.locator("blockquote").inner_text()
    page.screenshot(path=str(SHOTS / "1-ask.png"), full_page=True)

    # 2. The cited clause: entities, benefits, graph picture, aligned parent clauses side by side
    page.click("#cited a.button")
    page.wait_for_selector("#clause-text")
    expect(page.locator("h1")).to_contain_text("（九）")
    expect(page.locator("#graph svg .node-clause")).to_have_count(1)
    expect(page.locator("#benefits")).to_be_visible()
    expect(page.locator("#entities li")).not_to_have_count(0)
    parents = page.locator("#parents .parent")
    expect(parents).not_to_have_count(0)
    page.screenshot(path=str(SHOTS / "2-clause.png"), full_page=True)

    # 3. Open its best parent alignment
    link = parents.first.locator("h4 a")
    target = link.inner_text()
    link.click()
    page.wait_for_selector("#clause-text")
    assert target.split()[0] in page.locator(".crumbs").inner_text()
    expect(page.locator("#children")).to_contain_text("jiading-draft")
    page.screenshot(path=str(SHOTS / "3-parent.png"), full_page=True)

    # 4. Drafter: the check report of the draft, findings beside the clauses
    page.goto(server + "/drafter")
    page.click("#drafts a[href='/drafter/jiading-draft']")
    page.wait_for_selector("#report")
    expect(page.locator("#report tbody tr")).to_have_count(16)
    expect(page.locator("#report .finding")).not_to_have_count(0)
    expect(page.locator("#report td.parent a")).not_to_have_count(0)
    page.screenshot(path=str(SHOTS / "4-drafter.png"), full_page=False)

    # 5. SPARQL console: an example query, then one typed in
    page.goto(server + "/query")
    page.locator("a.example").nth(1).click()
    page.wait_for_selector("#results")
    expect(page.locator("table.results tbody tr")).not_to_have_count(0)
    page.screenshot(path=str(SHOTS / "5-sparql.png"), full_page=False)
    page.fill("#query", "PREFIX pol: <https://w3id.org/policykg/ontology#>\n"
                        "SELECT ?c WHERE { ?c a pol:Clause } LIMIT 3")
    page.click("#sparql-form button")
    page.wait_for_selector("#results")
    expect(page.locator("table.results tbody tr")).to_have_count(3)
    page.locator("table.results tbody tr a").first.click()
    page.wait_for_selector("#clause-text")

    # 6. The API description renders offline (vendored Swagger UI)
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    expect(page.locator(".swagger-ui .opblock-summary-path").filter(has_text="/api/ask")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "6-docs.png"), full_page=False)


def test_typed_text_is_escaped(server, page):
    page.goto(server + "/")
    evil = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"
    page.fill("#q", evil)
    page.click("form.ask button")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#q").input_value() == evil
    page.goto(server + "/query?query=" + "%3Cscript%3Ewindow.__pwned%3D3%3C%2Fscript%3E")
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned=3</script>" in page.locator("#query").input_value()
    page.goto(server + "/documents/%3Cscript%3Ewindow.__pwned%3D4%3C%2Fscript%3E")
    assert page.evaluate("window.__pwned") is None
    assert "<script>" in page.locator("#error").inner_text()


def test_search_text_indexes_and_linked_data(server, page):
    from playwright.sync_api import expect

    # the documents list: number, date and status; data links
    page.goto(server + "/documents")
    row = page.locator("#documents tbody tr").filter(has_text="中办发〔2022〕58号")
    expect(row).to_contain_text("中办发〔2022〕58号")
    expect(row).to_contain_text("2022-10-07")
    expect(row).to_contain_text("in_force")
    expect(page.locator("#csv")).to_have_attribute("href", "/documents.csv")

    # search from the search page
    page.click("nav a[href='/search']")
    page.fill("input[name=q]", "技能人才补贴")
    page.click("#search-form button")
    page.wait_for_selector("#hits")
    expect(page.locator("#hits li")).not_to_have_count(0)
    page.screenshot(path=str(SHOTS / "7-search.png"), full_page=False)

    # the whole text of a document
    page.goto(server + "/documents/jiading-draft")
    page.click("#fulltext-link")
    page.wait_for_selector("#fulltext")
    expect(page.locator("#fulltext p[id^=c]")).to_have_count(16)

    # the benefit table, filtered, with its CSV and JSON downloads
    page.goto(server + "/benefits")
    total = page.locator("#benefits tbody tr").count()
    page.fill("#filters input[name=who]", "嘉定工匠")
    page.fill("#filters input[name=min]", "50000")
    page.click("#filters button")
    page.wait_for_selector("#benefits")
    rows = page.locator("#benefits tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("最高 100,000 元")
    expect(rows.first).to_contain_text("（十）")
    assert 1 < total
    page.screenshot(path=str(SHOTS / "8-benefits.png"), full_page=False)
    csv_href = page.locator("#csv").get_attribute("href")
    body = page.request.get(server + csv_href).text()
    assert body.splitlines()[0].startswith("who,what,type,amount,max_amount") and len(body.splitlines()) == 2
    data = page.request.get(server + page.locator("#json").get_attribute("href")).json()
    assert [r["max_amount"] for r in data] == [100000]

    # a benefit's IRI resolves to its resource page; on to its clause
    page.locator("#benefits tbody tr a").first.click()
    page.wait_for_selector("#properties")
    expect(page.locator("#iri")).to_contain_text("/benefit/")
    expect(page.locator("#properties")).to_contain_text("schema:amount")

    # the entity index
    page.goto(server + "/entities?kind=Honor")
    expect(page.locator("#entities tbody tr")).not_to_have_count(0)
    page.locator("#entities tbody tr a").first.click()
    page.wait_for_selector("h1")
