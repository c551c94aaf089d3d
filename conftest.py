"""Fixtures shared by the whole suite: browsers, real Celery processes, clean test runs."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

pytest_plugins = [
    "clinic.tests.fuzzing",
    "clinic.tests.personas",
    "patients.tests.personas",
    "patients.tests.booking_fixtures",
]

# Playwright's sync API keeps an event loop in the main thread; Django's ORM
# refuses to run there unless told the loop is not ours to worry about.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every transactional test a serialized rollback.

    A transactional test (live server, real Celery processes, parallel bookings)
    ends by flushing the database, which would take the data the migrations
    load (the catalogue, the staff groups and their permissions, consent texts)
    away from every transactional test after it. With a serialized rollback
    each one starts from the migrated state again.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction"):
            continue
        if marker.kwargs.get("serialized_rollback"):
            continue
        kwargs = {**marker.kwargs, "serialized_rollback": True}
        item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove this run's broker folders, media and SQLite file."""
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(settings.TEST_RUN_DIR, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _serialized_contents_on_every_connection(
    django_db_setup: None, django_db_blocker: object
) -> None:
    """Let a serialized rollback find the migrated data from any connection object.

    Django keeps it on the connection object that created the test database. After a
    browser test, Playwright's greenlets leave the main thread with a new connection
    object (connections are context-local), which has none: the next transactional
    test then starts from an empty database. A class attribute reaches every object.
    """
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _fresh_screening_rules() -> Iterator[None]:
    """Forget the process's cached screening rules around each test.

    The cache lives in memory, outside the database: a rule edited inside a
    test's rolled-back transaction (or flushed by a transactional test) must
    not be screened with by the next test.
    """
    # Imported here: pytest loads conftest.py before Django is set up (app modules need it).
    from procedures.selectors import rules_loader

    rules_loader.clear()
    yield
    rules_loader.clear()


@pytest.fixture(autouse=True)
def _default_language_afterwards() -> Iterator[None]:
    """Leave no language active after a test.

    The test client runs the LocaleMiddleware in the test's own thread, and it leaves the
    request's language active: a test that asks for a Russian page would otherwise make
    every later test of the process speak Russian.
    """
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_booking_alternatives() -> None:
    """Forget the cached "next free slots" of "just taken" answers before each test.

    They live in the shared cache for a few seconds, outside the database: another
    test's schedule, with the same ids, must not answer for this one.
    """
    # Imported here: pytest loads conftest.py before Django is set up (app modules need it).
    from patients.booking.race_guard import clear_alternatives_cache

    clear_alternatives_cache()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; skipped without it unless REQUIRE_BROWSER=1."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but Chromium is missing at {CHROMIUM}")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # (The serialized rollback of later transactional tests survives Playwright's
    # event loop thanks to `_serialized_contents_on_every_connection`.)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: object, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """Open pages, each in its own browser context (its own cookies: another person).

    When the test fails, every page still open in those contexts (popups and extra tabs
    included) leaves a full-page screenshot in test-artifacts/, named after the test
    (`<test>.png`, then `<test>-2.png`, ...), as it stood at the end. Every page must
    keep to the Content-Security-Policy.
    """
    contexts: list[Any] = []
    refused: list[str] = []
    watched: list[Any] = []

    def watch(page: Any) -> None:
        if page in watched:
            return
        watched.append(page)
        # The CSP forbids inline code; a page that breaks it fails its test here,
        # long before a patient sees a dead button.
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda message: refused.append(message.text) if "Refused to" in message.text else None,
        )

    def open_one(**context_options: Any) -> Any:
        options = {"viewport": {"width": 1280, "height": 900}, **context_options}
        context = browser.new_context(**options)
        context.on("page", watch)
        contexts.append(context)
        page = context.new_page()
        watch(page)  # (the "page" event watches popups and tabs the page opens)
        return page

    yield open_one
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_screenshots([p for context in contexts for p in context.pages], request.node.name)
    for context in contexts:
        context.close()
    assert refused == [], f"the page broke the Content-Security-Policy: {refused}"


def save_screenshots(pages: list[Any], name: str) -> list[Path]:
    """A full-page screenshot of each page in test-artifacts/; a page that cannot be
    captured (closed, crashed) is skipped, so the test's own failure stays the one shown."""
    ARTIFACTS.mkdir(exist_ok=True)
    saved = []
    for number, page in enumerate(pages, start=1):
        path = ARTIFACTS / (f"{name}.png" if number == 1 else f"{name}-{number}.png")
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception:  # noqa: S112 - best effort: the test has failed already
            continue
        saved.append(path)
    return saved


@pytest.fixture
def page(open_page: Callable[..., Any]) -> Any:
    """A fresh browser page; a failing test leaves a screenshot in test-artifacts/."""
    return open_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def celery_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for worker and beat processes that must share this test run.

    `extra` adds or overrides variables (e.g. EMAIL_URL of a test's SMTP server).
    """
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "clinic.settings.test"
    env["TEST_RUN_ID"] = settings.TEST_RUN_ID
    # Real processes hand outbox messages to workers (the test process sends inline).
    env["OUTBOX_DELIVERY"] = "celery"
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    env.update(extra or {})
    return env


def start_celery(
    *args: str,
    log_name: str,
    extra_env: dict[str, str] | None = None,
    new_session: bool = False,
) -> subprocess.Popen[bytes]:
    """Start `celery -A clinic <args>` for this test run, logging under the run's folder.

    `new_session` puts the process and its pool in their own process group, so a
    test can SIGKILL the whole worker at once (`os.killpg`).
    """
    log = open(Path(settings.TEST_RUN_DIR) / f"{log_name}.log", "ab")  # noqa: SIM115 - closed with the process
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen(
        [celery, "-A", "clinic", *args],
        env=celery_env(extra_env),
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=new_session,
    )


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def celery_worker_process() -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker consuming this run's queue."""
    process = start_celery(
        "worker",
        "--loglevel=INFO",
        "--concurrency=2",
        "--pool=prefork",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        log_name="worker",
    )
    yield process
    stop_process(process)


@pytest.fixture
def celery_beat_process() -> Iterator[subprocess.Popen[bytes]]:
    """A real beat process with the database scheduler."""
    process = start_celery("beat", "--loglevel=INFO", log_name="beat")
    yield process
    stop_process(process)
