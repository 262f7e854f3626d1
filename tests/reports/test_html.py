"""The HTML report: self-contained, escaped, capped, bilingual — and working in a real browser.

Report content is checked on runs written straight into a store; the
browser tests open the file in headless Chromium (Debian's, driven by
Playwright) and use it as a person would.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from piiscan.model import ScanError
from piiscan.reports import RunReport
from piiscan.reports.html import CSP, MAX_ROWS, folder_of, render_html
from piiscan.reports.i18n import EN, FR
from piiscan.store import Store
from tests.auditkit import add_run, finding, value_hash, violation

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = 'notes/<script>alert("x")</script>.txt'


def sample_store(path: Path, *, revealed: bool = False) -> tuple[Store, int]:
    """Three runs of one audit; the last has every kind of row a report shows."""
    store = Store(path)
    add_run(store, [finding("CA_SIN", "hr/payroll.csv", "046 454 286", row=2, column="NAS")],
            [violation("retention_exceeded", "high", "finance/2019.csv", "kept too long")])
    add_run(store, [finding("CA_SIN", "hr/payroll.csv", "046 454 286", row=2, column="NAS"),
                    finding("EMAIL_ADDRESS", "notes/a.txt", "ana@example.org", line=3)])
    findings = [
        finding("CA_SIN", "hr/payroll.csv", "046 454 286", reveal=revealed, row=2, column="NAS"),
        finding("CA_SIN", "hr/payroll.csv", "130 692 544", reveal=revealed, row=3, column="NAS"),
        finding("CREDIT_CARD", "mail/2023.zip!exports/donors.csv", "4111 1111 1111 1111",
                reveal=revealed, row=5, column="carte"),
        finding("EMAIL_ADDRESS", HOSTILE, "bob@example.org", reveal=revealed, line=1),
        finding("EMAIL_ADDRESS", "notes/a.txt", "ana@example.org", reveal=revealed, line=3),
        finding("PASSPORT", "participants/dossier.pdf", "AB123456", reveal=revealed, page=2),
    ]
    violations = [
        violation("retention_exceeded", "high", "finance/2019.csv", "Kept 7 years; the limit is 60 days",
                  "one_time_donations", ("CREDIT_CARD",), 42),
        violation("category_not_allowed", "high", "notes/a.txt", "SINs belong in payroll",
                  "case_files", ("CA_SIN",), 1),
        violation("undeclared_location", "medium", HOSTILE, '<img src="http://x/y.png"> no purpose',
                  None, ("EMAIL_ADDRESS",), 1),
        violation("undeclared_location", "low", "tmp/export.csv", "No purpose covers this place",
                  None, ("EMAIL_ADDRESS",), 3),
        violation("world_readable", "critical", "participants/dossier.pdf", "Anyone can read it",
                  "case_files", ("PASSPORT",), 1),
    ]
    errors = [ScanError("secret.docx", "encrypted"), ScanError("old.zip", "corrupt", "bad central directory"),
              ScanError("a.pdf", "encrypted")]
    run = add_run(store, findings, violations, errors, revealed=revealed,
                  counters={"items": 9, "ocr_skipped": 2, "unsupported:application/x-iso9660-image": 1})
    store.add_mark("hr/*", "false_positive", value_hash=value_hash(findings[1].entity_type, "130 692 544"))
    store.add_mark("notes/a.txt", "confirmed", entity_type="EMAIL_ADDRESS")
    store.add_mark("gone/*", "test_data")
    return store, run


def html_for(tmp_path: Path, language: str = "en", **kw: object) -> str:
    store, run = sample_store(tmp_path / "s.db", **kw)
    with store:
        return render_html(RunReport.load(store, run, language=language))


def write_report(tmp_path: Path, language: str = "en") -> Path:
    out = tmp_path / f"report-{language}.html"
    out.write_text(html_for(tmp_path, language), encoding="utf-8")
    return out


# -- content ------------------------------------------------------------------------

def test_the_page_forbids_itself_the_network(tmp_path: Path) -> None:
    html = html_for(tmp_path)
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html.replace("&#39;", "'")
    assert "default-src 'none'" in CSP and "img-src data:" in CSP
    # nothing to fetch: no external src/href, no CSS imports or remote urls
    assert not re.search(r'''(src|href)\s*=\s*["']?\s*(https?:|//)''', html.replace("&lt;img src=&#34;http", ""))
    assert "@import" not in html and "url(http" not in html


def test_everything_from_the_share_is_escaped(tmp_path: Path) -> None:
    html = html_for(tmp_path)
    assert "<script>alert" not in html
    assert '<img src="http://x/y.png">' not in html
    assert "notes/&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;.txt" in html
    assert html.count("<script>") == 1  # only the report's own


def test_first_screen_counts_after_triage(tmp_path: Path) -> None:
    html = html_for(tmp_path)
    # 6 findings, one hidden as a false positive
    assert re.search(r'id="total-findings">5<', html)
    assert "Social Insurance Number" in html and "Payment card" in html
    assert "Retention exceeded" in html and "World-readable" in html
    assert "Trend over past runs" in html and "<svg" in html
    assert "Folders holding the most sensitive data" in html


def test_triage_hides_flags_and_lists_stale_marks(tmp_path: Path) -> None:
    html = html_for(tmp_path)
    payroll = re.search(r'data-location="hr/payroll.csv">.*?</details>', html, re.S).group()
    assert "*** *** 286" in payroll and "*** *** 544" not in payroll  # the hidden one
    notes = re.search(r'data-location="notes/a.txt">.*?</details>', html, re.S).group()
    assert 'class="badge t confirmed"' in notes
    stale = re.search(r'id="stale-marks">.*?</table>', html, re.S).group()
    assert "gone/*" in stale and "hr/*" not in stale


def test_what_could_not_be_read_is_grouped_with_counters(tmp_path: Path) -> None:
    html = html_for(tmp_path)
    assert "<strong>encrypted</strong>: 2" in html and "<strong>corrupt</strong>: 1" in html
    assert "bad central directory" in html
    assert "<code>ocr_skipped</code></td><td class=\"num\">2" in html


def test_changes_since_the_last_run(tmp_path: Path) -> None:
    html = html_for(tmp_path)
    changes = re.search(r'<section id="changes".*?</section>', html, re.S).group()
    assert "Compared with run 2" in changes
    # new since run 2: the second SIN is hidden; card, hostile email and passport are new
    assert re.search(r'class="n new">3<', changes)


def test_raw_values_only_in_a_revealed_run(tmp_path: Path) -> None:
    hidden = html_for(tmp_path / "a")
    assert "046 454 286" not in hidden and "ana@example.org" not in hidden
    shown = html_for(tmp_path / "b", revealed=True)
    assert "046 454 286" in shown and "ana@example.org" in shown
    assert "This report shows raw values" in shown


def test_big_locations_are_capped(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        many = [finding("EMAIL_ADDRESS", "exports/all.csv", f"p{i}@example.org", row=i + 2)
                for i in range(MAX_ROWS + 37)]
        run = add_run(store, many)
        html = render_html(RunReport.load(store, run))
    block = re.search(r'data-location="exports/all.csv">.*?</details>', html, re.S).group()
    assert block.count("<tr>") == MAX_ROWS + 1  # + the header row
    assert "… and 37 more in this location" in block


def test_french_interface(tmp_path: Path) -> None:
    html = html_for(tmp_path, "fr")
    assert '<html lang="fr">' in html
    for label in ("Constats par catégorie", "Numéro d'assurance sociale", "Durée de conservation dépassée",
                  "Ce qui n'a pas pu être lu, et pourquoi", "Paramètres de l'exécution"):
        assert label.replace("'", "&#39;") in html


def test_both_languages_have_every_label() -> None:
    assert set(EN) == set(FR)
    assert all(FR[k] for k in FR)


@pytest.mark.parametrize("location, folder", [
    ("hr/payroll.csv", "hr"),
    ("hr/2024/payroll.xlsx", "hr/2024"),
    ("mail/2023.zip!exports/donors.csv", "mail"),
    ("top.txt", ""),
    ("postgresql://scanner@db/crm#public.people", "postgresql://scanner@db/crm"),
])
def test_findings_count_toward_their_folder(location: str, folder: str) -> None:
    assert folder_of(location) == folder


# -- in a real browser --------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Chromium is missing: apt-get install -y chromium (or bash scripts/setup.sh --test)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, tmp_path: Path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.problems = []  # console errors and page errors
    pg.requests = []
    pg.on("console", lambda m: pg.problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def visible_rows(pg) -> int:
    return pg.locator("#violations-table tbody tr:visible").count()


@pytest.mark.chromium
def test_the_report_works_offline_in_chromium(page, tmp_path: Path) -> None:
    report = write_report(tmp_path)
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    assert page.problems == []
    assert page.requests and all(u.startswith(("file://", "data:")) for u in page.requests), page.requests
    assert page.title().startswith("Personal information report")

    assert visible_rows(page) == 5
    page.select_option("#filter-rule", "undeclared_location")
    assert visible_rows(page) == 2
    page.select_option("#filter-severity", "low")
    assert visible_rows(page) == 1
    assert page.text_content("#violations-shown") == "1 of 5 shown"
    page.select_option("#filter-rule", "")
    page.select_option("#filter-severity", "")
    page.fill("#filter-search", "donations")  # the purpose column
    assert visible_rows(page) == 1
    page.fill("#filter-search", "")
    assert visible_rows(page) == 5

    # sort by count, ascending then descending
    page.click("#violations-table th:nth-child(6)")
    counts = page.locator("#violations-table tbody td:nth-child(6)").all_text_contents()
    assert counts == sorted(counts, key=int)
    page.click("#violations-table th:nth-child(6)")
    counts = page.locator("#violations-table tbody td:nth-child(6)").all_text_contents()
    assert counts == sorted(counts, key=int, reverse=True)

    # drill-down: closed until asked, shows masked values and pointers
    place = page.locator('details.place[data-location="hr/payroll.csv"]')
    assert not place.locator("table").is_visible()
    place.locator("summary").click()
    assert place.locator("table").is_visible()
    assert "*** *** 286" in place.inner_text() and "row 2 · column NAS" in place.inner_text()
    page.fill("#places-search", "2023.zip")
    assert page.locator("details.place:visible").count() == 1

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("PIISCAN_KEEP_SCREENSHOT"):  # for a person to look at
        shutil.copy(shot, os.environ["PIISCAN_KEEP_SCREENSHOT"])
    assert page.problems == []


@pytest.mark.chromium
def test_the_french_report_speaks_french(page, tmp_path: Path) -> None:
    page.goto(write_report(tmp_path, "fr").as_uri())
    assert page.text_content("h1") == "Rapport sur les renseignements personnels"
    assert page.text_content("#violations-shown") == "5 sur 5 affichées"
    assert page.locator("#filter-rule option").all_text_contents()[0] == "toutes"
    assert "Numéro d'assurance sociale" in page.inner_text("#overview")
    assert page.problems == []


@pytest.mark.chromium
def test_printing_opens_the_drill_downs_and_hides_the_controls(page, tmp_path: Path) -> None:
    page.goto(write_report(tmp_path).as_uri())
    page.select_option("#filter-rule", "world_readable")
    page.emulate_media(media="print")
    assert not page.locator("#filter-rule").is_visible()
    assert page.locator('details.place[data-location="hr/payroll.csv"] table').is_visible()
    assert visible_rows(page) == 5  # paper shows every violation, whatever the filter
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert page.problems == []
