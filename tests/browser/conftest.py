"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Never a downloaded browser: Chromium is /usr/bin/chromium (`make browser-deps`
installs it as root when missing); without it these tests skip and say why.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make between browser steps are synchronous and safe, so Django may allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is missing at /usr/bin/chromium (run `make browser-deps`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    """A fresh browser context (no cookies) in the given language."""
    contexts = []

    def open_(locale: str = "en-US", width: int = 900, height: int = 900):
        context = browser.new_context(
            locale=locale, viewport={"width": width, "height": height}, device_scale_factor=2
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


class OtherSite:
    """A tiny web server on another origin, serving one page that embeds our widgets."""

    def __init__(self) -> None:
        self.html = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def serve(self, body: str) -> str:
        self.html = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>A creator's blog</title></head>"
            "<body style='font-family: Georgia, serif; background: #eef1f4; margin: 24px'>"
            f"{body}</body></html>"
        )
        return self.url


@pytest.fixture
def other_site() -> Iterator[OtherSite]:
    site = OtherSite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture
def screenshot(tmp_path):
    """Save a screenshot: into docs/screenshots with BITCACHE_SCREENSHOTS=1 (`make
    screenshots`), else into the test's temporary directory, so a plain test run
    leaves the committed pictures alone."""
    folder = SCREENSHOTS if os.environ.get("BITCACHE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def save(locator, name: str) -> None:
        locator.screenshot(path=str(folder / name))

    return save


@pytest.fixture
def sign_in(client, live_server):
    """Put `user`'s session cookie into `page`'s browser context: the page is signed in."""

    def sign_in_(page, user) -> None:
        client.force_login(user)
        session = client.cookies["sessionid"].value
        page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])

    return sign_in_
