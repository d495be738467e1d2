"""The web app end to end: ``ccsim app`` in a subprocess, driven in a real headless Chromium.

A planner's loop, as clicks: open a scenario, change staffing, run, see the KPIs change
(and that they are the engine's numbers), compare two variants and download the
report, save them as an options file, find the staffing, cancel a long run while
another tab stays usable, and see an invalid upload's error.

Playwright drives Debian's Chromium (``/usr/bin/chromium``; ``.ci/run`` installs it with
apt-get): browsers cannot be downloaded here, so ``playwright install`` is never run.
The tests are skipped, saying why, where that browser or Playwright is missing.

Each step writes a screenshot: to a temporary folder, or to ``$CCSIM_APP_SCREENSHOTS``
(``CCSIM_APP_SCREENSHOTS=docs/app pytest tests/test_app_browser.py`` renews the
screenshots of docs/app.md).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "no /usr/bin/chromium (Debian's chromium package; .ci/run installs it)",
        allow_module_level=True,
    )
pytest.importorskip(
    "fastapi", reason="the web app's extra is not installed: pip install -e '.[app]'"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

import ccsim  # noqa: E402
from ccsim.whatif.changes import apply_changes  # noqa: E402
from tests.helpers import GOOD, ROOT  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
MULTISKILL = "scenarios/multiskill-day.yaml"
VIEWPORT = {"width": 1440, "height": 900}
TIMEOUT_MS = 120_000  # a busy two-core machine: generous, the runs themselves take seconds


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("app") / "planning"
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    shutil.copytree(
        ROOT / "experiments", root / "experiments", ignore=shutil.ignore_patterns("*.py")
    )
    (root / "small.yaml").write_text(GOOD)
    return root


@pytest.fixture(scope="module")
def server(folder: Path):
    """``ccsim app FOLDER --port P --no-browser`` in a subprocess; its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "ccsim", "app", str(folder), "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"ccsim app did not start:\n{process.stdout.read()}")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    wanted = os.environ.get("CCSIM_APP_SCREENSHOTS")
    path = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server)
    page.wait_for_selector("#files[data-ready]")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors in the page: {errors}"


def open_scenario(page, path: str) -> None:
    page.click(f"#files button[data-path='{path}']")
    page.wait_for_selector(f"#workspace[data-open='{path}']")


def card(page, kpi: str) -> str:
    return page.inner_text(f"#kpi-cards [data-kpi='{kpi}'] .value")


def run_and_wait(page) -> None:
    """Click Run; wait until the cards and the charts of that run are shown."""
    page.evaluate("document.querySelector('#result').dataset.charts = ''")
    page.click("#run")
    page.wait_for_selector("#result[data-charts='1']")


def shown_run(page) -> str:
    """The id of the run whose result is shown ("" for none)."""
    return page.evaluate("document.querySelector('#result').dataset.run || ''")


def wait_for_new_result(page, before: str) -> None:
    """Wait until another run than ``before`` (:func:`shown_run`) is shown with its charts.

    By run id: two runs of the same variant size can print the same line (same
    contacts, same time to the hundredth of a second).
    """
    page.wait_for_function(
        "(before) => { const r = document.querySelector('#result'); "
        "return (r.dataset.run || '') !== before && r.dataset.charts === '1'; }",
        arg=before,
    )


def test_open_change_staffing_run_and_see_the_kpis_change(page, folder, shots) -> None:
    page.screenshot(path=shots / "01-files.png")
    open_scenario(page, MULTISKILL)
    page.screenshot(path=shots / "02-levers.png")
    page.click("button[data-tab='centre']")
    page.wait_for_selector("#chart-arrivals .main-svg")
    assert "sales_team" in page.inner_text("#glance-groups")
    page.screenshot(path=shots / "03-centre.png", full_page=True)
    page.click("button[data-tab='whatif']")

    run_and_wait(page)
    base_sl = card(page, "service_level")
    base = ccsim.load_scenario(folder / MULTISKILL)
    expected = ccsim.simulate(base, replications=200)
    assert base_sl == f"{100 * expected.kpi('service_level'):.1f} %"
    assert card(page, "wait_answered_p90_s") == f"{expected.kpi('wait_answered_p90_s'):.1f} s"
    page.screenshot(path=shots / "04-base-run.png", full_page=True)

    # one more agent on the sales team in every interval, then one more fraud agent at 13:00
    before = shown_run(page)
    page.click("button[data-step='sales_team:+1']")
    page.wait_for_selector("#variant-bar .chip.active[data-variant='variant 1']")
    wait_for_new_result(page, before)
    before = shown_run(page)
    cell = page.locator("input[data-staff='fraud_desk:10']")
    cell.fill("12")
    cell.press("Tab")
    wait_for_new_result(page, before)
    changes = page.inner_text("#changes-yaml")
    assert (
        "agent_groups.sales_team.staffing" in changes
        and "agent_groups.fraud_desk.staffing" in changes
    )

    sales = [n + 1 for n in base.agent_groups[0].staffing]
    fraud = list(base.agent_groups[2].staffing)
    fraud[10] = 12
    variant = apply_changes(base, {"agent_groups.sales_team.staffing": sales,
                                   "agent_groups.fraud_desk.staffing": fraud})  # fmt: skip
    expected = ccsim.simulate(variant, replications=200)
    shown = card(page, "service_level")
    assert shown == f"{100 * expected.kpi('service_level'):.1f} %" != base_sl
    delta = page.inner_text("#kpi-cards [data-kpi='service_level'] .delta")
    assert delta.startswith("+") and delta.endswith("pt vs base")
    page.screenshot(path=shots / "05-variant-run.png", full_page=True)


def test_compare_two_variants_download_the_report_and_save_them(page, folder, shots) -> None:
    open_scenario(page, "scenarios/multiskill-day.yaml")
    page.uncheck("#autorun")
    page.click("button[data-step='sales_team:+1']")
    page.wait_for_selector("#variant-bar .chip.active[data-variant='variant 1']")
    page.click("#new-variant")
    page.wait_for_selector("#variant-bar .chip.active[data-variant='variant 2']")
    page.click("button[data-step='sales_team:-1']")  # variant 2: the base staffing again...
    deflection = page.locator("input[data-lever='deflection:service']")
    deflection.fill("25")  # ...and an IVR that self-serves 25 % of service calls
    deflection.press("Tab")
    page.wait_for_function(
        "document.querySelector('#changes-yaml').textContent.includes('ivr.deflection')"
    )
    name = page.locator("#variant-name")
    name.fill("ivr-upgrade")
    name.press("Tab")
    page.wait_for_selector("#variant-bar .chip[data-variant='ivr-upgrade']")

    page.click("button[data-tab='compare']")
    page.fill("#compare-replications", "100")
    page.click("#compare-run")
    page.wait_for_selector("#compare-table")
    page.wait_for_selector("#chart-forest .main-svg")
    headers = page.locator("#compare-table th").all_inner_texts()
    assert headers[2:] == ["variant 1", "ivr-upgrade"]
    assert (
        page.locator("#compare-table td[data-diff='variant 1:service_level']")
        .inner_text()
        .startswith("+")
    )
    assert page.locator("#finance-table").is_visible()
    page.screenshot(path=shots / "06-compare.png", full_page=True)

    with page.expect_download() as download:
        page.click("#compare-result a[data-file='report.html']")
    report = Path(download.value.path()).read_text()
    assert "<html" in report[:300].lower() and "ivr-upgrade" in report
    assert download.value.suggested_filename.endswith("-report.html")

    page.once("dialog", lambda dialog: dialog.accept("plans/what-if.options.yaml"))
    page.click("#save-options")
    page.wait_for_selector("#message.ok")
    assert "ccsim compare plans/what-if.options.yaml" in page.inner_text("#message")
    options = ccsim.load_options(folder / "plans" / "what-if.options.yaml")
    assert [o.name for o in options.options] == ["variant 1", "ivr-upgrade"]
    assert options.options[1].changes == {"ivr.deflection.service": 0.25}


def test_an_invalid_upload_shows_its_error(page, folder, shots) -> None:
    page.set_input_files("#upload", files=[{"name": "broken.yaml", "mimeType": "text/yaml",
                                            "buffer": b"name: broken\nhorizon: [1,\n"}])  # fmt: skip
    page.wait_for_selector("#message.bad")
    message = page.inner_text("#message")
    assert message.startswith(
        "broken.yaml was not uploaded:\nerror: broken.yaml is not a valid scenario:"
    )
    assert "broken.yaml:3: (top level): not valid YAML" in message
    page.screenshot(path=shots / "07-invalid-upload.png")
    assert not (folder / "broken.yaml").exists()

    misspelt = GOOD.replace("staffing: 2", "staffing: 2\n    skils: [support]")
    page.set_input_files("#upload", files=[{"name": "typo.yaml", "mimeType": "text/yaml",
                                            "buffer": misspelt.encode()}])  # fmt: skip
    page.wait_for_function("document.querySelector('#message').textContent.includes('typo.yaml')")
    assert "unknown key 'skils'; did you mean 'skills'?" in page.inner_text("#message")
    page.set_input_files("#upload", files=[{"name": "huge.yaml", "mimeType": "text/yaml",
                                            "buffer": b"#" * 2_000_000}])  # fmt: skip
    page.wait_for_function("document.querySelector('#message').textContent.includes('huge.yaml')")
    assert "too large: 2 MB; the app takes at most 1 MB" in page.inner_text("#message")
    assert not (folder / "typo.yaml").exists() and not (folder / "huge.yaml").exists()

    page.set_input_files("#upload", files=[{"name": "uploaded.yaml", "mimeType": "text/yaml",
                                            "buffer": GOOD.encode()}])  # fmt: skip
    page.wait_for_selector("#message.ok")
    assert page.inner_text("#open-name") == "uploaded.yaml"
    assert (folder / "uploaded.yaml").read_text() == GOOD


def test_a_long_run_can_be_cancelled_and_other_tabs_stay_usable(
    page, browser, server, shots
) -> None:
    open_scenario(page, MULTISKILL)
    page.fill("#replications", "20000")
    page.click("#run")
    page.wait_for_function(
        "() => /^[1-9][0-9]* \\/ 20000/.test(document.querySelector('#progress .text').textContent)"
    )
    page.screenshot(path=shots / "08-progress.png")
    other = browser.new_page(viewport=VIEWPORT)
    started = time.monotonic()
    other.goto(server)
    other.wait_for_selector("#files[data-ready]", timeout=TIMEOUT_MS)
    other.click("#files button[data-path='small.yaml']")
    other.wait_for_selector("#workspace[data-open='small.yaml']", timeout=TIMEOUT_MS)
    other_seconds = time.monotonic() - started
    assert page.locator("#cancel").is_visible()  # the long run is still going
    other.close()
    page.click("#cancel")
    page.wait_for_function(
        "document.querySelector('#progress .text').dataset.status === 'cancelled'"
    )
    assert page.inner_text("#progress .text") == "cancelled"
    assert other_seconds < 30


def test_the_staffing_search_becomes_a_variant_and_a_failure_is_shown(page, folder, shots) -> None:
    open_scenario(page, MULTISKILL)
    page.click("button[data-tab='staff']")
    page.fill("#staff-replications", "20")
    page.click("#staff-run")
    page.wait_for_selector("#staff-summary")
    found = ccsim.search_staffing(folder / MULTISKILL, replications=20)
    assert page.inner_text("#staff-summary").startswith(
        f"Every target met in every interval with {found.evaluations} simulations"
    )
    page.screenshot(path=shots / "09-staffing.png", full_page=True)
    page.click("#staff-use")
    page.wait_for_selector("#variant-bar .chip.active[data-variant='staffed']")
    sales = page.locator("input[data-staff='sales_team:9']").input_value()
    assert int(sales) == found.staffing["sales_team"][9]

    open_scenario(page, "scenarios/telco-week.yaml")
    page.click("button[data-tab='staff']")
    page.fill("#staff-replications", "2")
    page.click("#staff-run")
    page.wait_for_selector("#staff-error:not([hidden])")
    assert "The run failed: the staffing search works on one day" in page.inner_text("#staff-error")
    page.screenshot(path=shots / "10-failed-run.png")
    page.click("button[data-tab='whatif']")
    open_scenario(page, "small.yaml")  # the server goes on
