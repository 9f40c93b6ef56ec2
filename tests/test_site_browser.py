"""Every page of the built course site, opened in headless Chromium (issue 18, point 2).

Builds the site (``course_lib.tools.site.build``, no notebook execution), serves it on
127.0.0.1 and asserts per page: no console error, no failed request, no request leaving
127.0.0.1, every <img> loaded, math typeset where there is math, every internal link resolves,
and no *critical* violation in an accessibility scan by axe-core (loaded from a local copy:
``.ci/run`` installs it with npm into build/axe). A screenshot of each failing page goes to
test-artifacts/site/.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from course_lib.env.paths import REPO_ROOT
from tests.conftest import requires_ci_or_skip
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

# One browser test at a time (one xdist worker runs both files): two Chromiums beside
# JupyterLab kernels on 2 cores slowed the widgets' round trips past their timeouts.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = REPO_ROOT / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_INSTALL = "npm install --no-save --prefix build/axe axe-core@4.14.1"


@pytest.fixture(scope="module")
def site_url():
    from course_lib.tools import site

    requires_ci_or_skip(site.find_mathjax() is not None, "no local MathJax (apt libjs-mathjax)")
    html = site.build()
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", html
    server.shutdown()


def page_problems(page, url: str, html_root: Path) -> list[str]:
    problems, failed = [], []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("requestfailed", lambda r: failed.append(f"failed request: {r.url}"))
    page.on("response", lambda r: r.status >= 400
            and failed.append(f"status {r.status}: {r.url}"))
    page.on("request", lambda r: urlparse(r.url).hostname not in (None, "127.0.0.1")
            and problems.append(f"request leaves 127.0.0.1: {r.url}"))
    response = page.goto(url, wait_until="networkidle")
    if response is None or response.status != 200:
        problems.append(f"status {response and response.status}")
    problems += failed
    broken = page.eval_on_selector_all(
        "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)")
    problems += [f"image not loaded: {src}" for src in broken]
    text = page.inner_text("article") if page.query_selector("article") else ""
    if "$$" in text:
        problems.append("raw $$ left: math not typeset")
    typeset = "mjx-container, .MathJax, .MathJax_SVG, .MathJax_CHTML"  # MathJax 3 or 2
    if page.query_selector(".math"):
        try:
            page.wait_for_selector(typeset, state="attached", timeout=15_000)
        except Exception:  # playwright's TimeoutError
            problems.append("math present but not typeset")
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        target, _ = urldefrag(href)
        if urlparse(target).hostname == "127.0.0.1":
            path = html_root / urlparse(target).path.lstrip("/")
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                problems.append(f"broken internal link: {href}")
    return problems + critical_accessibility_violations(page)


def critical_accessibility_violations(page) -> list[str]:
    """axe-core's scan of the page (WCAG 2 A and AA rules); only critical ones count."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
        ".filter(v => v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.help + ' (' + v.nodes.length + ' elements, e.g. '"
        " + v.nodes[0].target.join(' ') + ')')")
    return [f"accessibility (critical): {v}" for v in violations]


def test_every_site_page_loads_offline_with_images_math_and_links(site_url):
    requires_ci_or_skip(Path(CHROMIUM).exists(), f"{CHROMIUM} is not installed")
    requires_ci_or_skip(AXE.exists(), f"no local axe-core: {AXE_INSTALL}")
    from playwright.sync_api import sync_playwright

    base, html_root = site_url
    pages = sorted(p.relative_to(html_root).as_posix() for p in html_root.rglob("*.html")
                   if "_sources" not in p.parts and "_static" not in p.parts)
    artifacts = REPO_ROOT / "test-artifacts" / "site"
    report = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for rel in pages:
            page = browser.new_page()
            found = page_problems(page, urljoin(base, rel), html_root)
            if found:
                report[rel] = found
                artifacts.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(artifacts / (rel.replace("/", "_") + ".png")), full_page=True)
            page.close()
        browser.close()
    assert len(pages) >= 20
    assert report == {}


def test_the_accessibility_scan_finds_a_planted_critical_violation():
    requires_ci_or_skip(Path(CHROMIUM).exists(), f"{CHROMIUM} is not installed")
    requires_ci_or_skip(AXE.exists(), f"no local axe-core: {AXE_INSTALL}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content('<html lang="en"><title>t</title><body><main>'
                         '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>')
        found = critical_accessibility_violations(page)
        page.set_content('<html lang="en"><title>t</title><body><main>'
                         '<img alt="a dot" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                         '</main></body></html>')
        clean = critical_accessibility_violations(page)
        browser.close()
    assert len(found) == 1 and found[0].startswith("accessibility (critical): image-alt"), found
    assert clean == []
