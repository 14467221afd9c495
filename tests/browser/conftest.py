"""Browser tests: Playwright driving Debian's chromium against the demo on a live server.

Reuse these fixtures in any `tests/browser/test_*.py` (they need no import):

    import pytest

    pytestmark = pytest.mark.browser

    def test_something(site, page, shot, axe_violations):
        page.goto(site.url("/zh-hans/"))          # a phone: 360×740, zh-CN, touch
        shot("front")                             # test-artifacts/<test>-front.png
        assert axe_violations(page) == []         # WCAG 2.1 A + AA rules of axe-core

* `site` (session): the demo (`manage.py load_demo`) loaded once into the test database and
  served by a live server thread. `site.url(path)`, `site.origin`, `site.msc_url["zh-hans"]`
  / `["en"]` / `["zh-hant"]`, `site.index_url[...]`. Do not use pytest-django's
  `live_server` or `transactional_db` here: they empty the database after each test and the
  demo would be gone for the next one. A test that changes data must put it back.
* `browser` (session): chromium from `/usr/bin/chromium` with the launch arguments of
  `/work/shared/docs/toolchain.md` (never `playwright install`).
* `page` (per test): a new browser context at 360×740. Every request to a host other than the
  live server fails the test at teardown (`page.foreign_requests` lists them); `page.weights`
  maps each document/stylesheet/script URL to its uncompressed size in bytes.
* `shot(name, full_page=True)`: a screenshot in `test-artifacts/` (kept by CI as an artifact).
* `axe_violations(page, exclude=())`: runs axe-core (`node_modules/axe-core`, installed by
  `make install`) with the WCAG 2.1 A/AA tags and returns the violations, each reduced to
  its id, impact, help text and the first offending nodes, so a failure message is readable.

The database stays unblocked during browser tests (the server thread needs it), and Django's
async-safety check is switched off because Playwright's sync API runs an event loop in the
test thread.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

BASE_DIR = Path(settings.BASE_DIR)
ARTIFACTS = BASE_DIR / "test-artifacts"
AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
VIEWPORT = {"width": 360, "height": 740}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test, marked or not."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _missing(what: str):
    message = f"{what} is missing: run `make install`."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class DemoSite:
    origin: str
    msc_url: dict[str, str] = field(default_factory=dict)
    index_url: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.origin + path

    @property
    def host(self) -> str:
        return urlsplit(self.origin).netloc


def _ensure_wagtail_root():
    """A flush by a transactional test elsewhere removes Wagtail's root page; put it back."""
    from wagtail.models import Locale, Page

    if not Locale.objects.exists():
        Locale.objects.create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=Locale.get_default()))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """pytest-django creates test databases only for tests that ask for `db`; browser tests
    do not (their data lives across tests), so make sure the default one exists."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, _serialized = _get_databases_for_setup(request.session.items)
    if "default" in aliases:
        yield
        return
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


def _assert_test_database():
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if not ("test" in name or "memory" in name):
        raise RuntimeError(f"refusing to load the demo into a non-test database: {name}")


@pytest.fixture(scope="session")
def site(django_db_setup, django_db_blocker):
    from pytest_django.live_server_helper import LiveServer

    from handbook.models import HandbookPage
    from publishing import search

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with django_db_blocker.unblock():
        _assert_test_database()
        _ensure_wagtail_root()
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        search.reset_index()
        msc = HandbookPage.objects.get(locale__language_code="zh-hans", title="间充质干细胞")
        en = HandbookPage.objects.get(
            translation_key=msc.translation_key, locale__language_code="en"
        )
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
    demo = DemoSite(origin=server.url)
    demo.msc_url = {
        "zh-hans": demo.url(msc.url),
        "en": demo.url(en.url),
        "zh-hant": demo.url(msc.url.replace("/zh-hans/", "/zh-hant/", 1)),
    }
    demo.index_url = {code: demo.url(f"/{code}/") for code in ("zh-hans", "en", "zh-hant")}
    yield demo
    server._live_server_modified_settings.disable()
    server.stop()


@pytest.fixture(autouse=True)
def _database_open_for_the_server(django_db_blocker):
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        _missing(f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(
        viewport=VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        bypass_csp=True,  # axe-core is injected as a script; the site itself loads none
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.foreign_requests = []
    page.weights = {}
    allowed = site.host

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.netloc != allowed:
            page.foreign_requests.append(request.url)

    def on_response(response):
        if response.request.resource_type in ("document", "stylesheet", "script"):
            try:
                page.weights[response.url] = len(response.body())
            except Exception:  # noqa: BLE001 (a redirect has no body)
                page.weights.setdefault(response.url, 0)

    page.on("request", on_request)
    page.on("response", on_response)
    yield page
    foreign = list(page.foreign_requests)
    context.close()
    assert not foreign, f"requests to other hosts: {foreign}"


@pytest.fixture
def shot(page, request):
    ARTIFACTS.mkdir(exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def take(name: str, *, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{test_name}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def axe_violations():
    if not AXE_JS.exists():
        _missing(f"axe-core ({AXE_JS.relative_to(BASE_DIR)})")

    def run(page, exclude=()):
        page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate(
            """async ([tags, exclude]) => {
                const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
                const result = await axe.run(context, {runOnly: {type: "tag", values: tags}});
                return result.violations;
            }""",
            [WCAG_TAGS, list(exclude)],
        )
        return [
            {
                "id": violation["id"],
                "impact": violation["impact"],
                "help": violation["help"],
                "nodes": [
                    {"target": node["target"], "summary": node.get("failureSummary", "")}
                    for node in violation["nodes"][:3]
                ],
            }
            for violation in violations
        ]

    return run
