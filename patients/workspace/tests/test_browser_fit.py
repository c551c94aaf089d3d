"""The week table and the dashboard fit a 1280-pixel screen with the admin sidebar open
(issue #20), in English and in Russian (whose labels are longer): the page never scrolls
sideways, the schedule needs no sideways scroll of its own, and no label is cut or lies
over another.

A label is cut when its text is wider than its box (`scrollWidth > clientWidth`) or when
it ends past the right edge of the screen; two labels overlap when their boxes intersect.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from clinic.availability import Policy
from clinic.models import User
from clinic.tests.browser import sign_in
from patients.models import Appointment
from patients.tests.booking_fixtures import Clinic, at
from patients.tests.factories import make_patient
from patients.tests.workspace_helpers import appointment_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = {"viewport": {"width": 1280, "height": 800}}
SIDEBAR_OPEN = "localStorage.setItem('django.admin.navSidebarIsOpen', 'true');"
# FIT_SCREENSHOTS=<folder> keeps a screenshot of every page checked, to judge readability by
# eye (a failing test leaves one in test-artifacts/ anyway, through `open_page`).
SHOTS = os.environ.get("FIT_SCREENSHOTS", "")

# What the page's script measures: the page's width, and each label's box.
MEASURE = """(selectors) => {
  // SVG text is drawn at its font size times the drawing's scale.
  const scale = (element) => {
    const svg = element.closest('svg');
    if (!svg || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) return 1;
    return svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  };
  const labels = [];
  for (const selector of selectors) {
    for (const element of document.querySelectorAll(selector)) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;  // not shown
      // One box per line the label takes (an inline label broken over two lines has two).
      const boxes = [...element.getClientRects()].map(
        (r) => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom}));
      labels.push({
        selector, text: element.textContent.trim().slice(0, 60), right: box.right, boxes,
        cut: element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1,
        size: parseFloat(getComputedStyle(element).fontSize) * scale(element),
      });
    }
  }
  const scrollers = [...document.querySelectorAll('.schedule-scroll')].map(
    (element) => ({scroll: element.scrollWidth, client: element.clientWidth}));
  return {page: document.documentElement.scrollWidth, labels, scrollers};
}"""

SCHEDULE_LABELS = [
    ".workspace-toolbar label",
    ".workspace-toolbar .button",
    ".workspace-toolbar select",
    ".workspace-toolbar input",
    ".schedule-legend > span",
    "table.schedule thead th",
    "table.schedule tbody th",
    "td.cell-appointment strong",
    "td.cell-appointment .status-label",
    "#nav-sidebar a",
]
# The admin's own smallest text (its table headings); anything smaller is not readable.
SMALLEST_FONT_PX = 11
# Labels read as one piece: a legend chip or a button broken over two lines is not.
WHOLE = {".schedule-legend > span", ".workspace-toolbar .button", ".workspace-toolbar label"}
DASHBOARD_LABELS = [
    "svg text",
    "table.chart-numbers th",
    "table.chart-numbers td",
    "table.chart-numbers caption",
    "table.lot-attention th",
    "#content h2",
    "#nav-sidebar a",
]


def problems(page: Any, selectors: list[str]) -> list[str]:
    """What does not fit: the page's sideways scroll, cut labels, labels over each other."""
    measured = page.evaluate(MEASURE, selectors)
    found: list[str] = []
    if measured["page"] > SCREEN["viewport"]["width"]:
        found.append(f"the page is {measured['page']}px wide")
    found += [
        f"the schedule scrolls sideways ({s['scroll']}px in {s['client']}px)"
        for s in measured["scrollers"]
        if s["scroll"] > s["client"] + 1
    ]
    labels = measured["labels"]
    for label in labels:
        if label["cut"] or label["right"] > SCREEN["viewport"]["width"]:
            found.append(f"cut: {label['selector']} {label['text']!r}")
        if label["size"] < SMALLEST_FONT_PX:
            found.append(f"too small ({label['size']:.1f}px): {label['text']!r}")
        if label["selector"] in WHOLE and len(label["boxes"]) > 1:
            found.append(f"broken over lines: {label['text']!r}")
    for index, one in enumerate(labels):
        for other in labels[index + 1 :]:
            if one["selector"] == other["selector"] and any(
                overlap(a, b) for a in one["boxes"] for b in other["boxes"]
            ):
                found.append(f"overlap: {one['text']!r} and {other['text']!r}")
    return found


def overlap(one: dict[str, float], other: dict[str, float]) -> bool:
    return (
        one["left"] < other["right"] - 1
        and other["left"] < one["right"] - 1
        and one["top"] < other["bottom"] - 1
        and other["top"] < one["bottom"] - 1
    )


def open_at_1280(open_page: Any, live_server: Any, user: User, language: str) -> Any:
    page = open_page(**SCREEN)
    page.add_init_script(SIDEBAR_OPEN)
    sign_in(page, live_server, user, language=language)
    return page


def check(page: Any, selectors: list[str], name: str) -> None:
    page.locator("#nav-sidebar").wait_for()
    assert page.locator("#main.shifted").count() == 1  # the sidebar is open
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"fit-{name}.png"), full_page=True)
    found = problems(page, selectors)
    assert not found, found


@pytest.fixture
def busy_week(clinic_setup: Clinic) -> dt.date:
    """A week whose days all hold appointments of patients with long names."""
    monday = dt.datetime.now(Policy.from_settings().zone).date()
    monday -= dt.timedelta(days=monday.weekday())
    names = [
        ("Konstantin", "Konstantinopolsky-Rimsky"),
        ("Maximilian", "Oberhausen-Wittgenstein"),
        ("Alexandra", "Vasilyevna-Chernyshevskaya"),
    ]
    patients = [
        make_patient(first_name=first, last_name=last, email=f"p{n}@example.test")
        for n, (first, last) in enumerate(names)
    ]
    statuses = [
        Appointment.Status.CONFIRMED,
        Appointment.Status.PENDING_REVIEW,
        Appointment.Status.CHECKED_IN,
    ]
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        for n, patient in enumerate(patients):
            appointment_row(
                patient,
                clinic_setup,
                at(day, 10 + 2 * n),
                status=statuses[n],
                flags=["isotretinoin"] if n == 1 else None,
            )
    return monday


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_week_table_fits_1280_pixels_with_the_sidebar_open(
    open_page: Any,
    live_server: Any,
    busy_week: dt.date,
    receptionist: User,
    clinic_setup: Clinic,
    language: str,
) -> None:
    page = open_at_1280(open_page, live_server, receptionist, language)
    derm = clinic_setup.derm.pk
    page.goto(
        f"{live_server.url}/admin/workspace/schedule/"
        f"?date={busy_week.isoformat()}&view=week&by=practitioner&resource={derm}"
    )
    assert page.locator("table.schedule thead th").count() == 8  # the time and seven days
    check(page, SCHEDULE_LABELS, f"week-{language}")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_dashboard_fits_1280_pixels_with_the_sidebar_open(
    open_page: Any,
    live_server: Any,
    busy_week: dt.date,
    manager: User,
    language: str,
) -> None:
    page = open_at_1280(open_page, live_server, manager, language)
    page.goto(f"{live_server.url}/admin/workspace/dashboard/")
    check(page, DASHBOARD_LABELS, f"dashboard-{language}")
