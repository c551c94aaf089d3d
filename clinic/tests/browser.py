"""Helpers for the browser tests: find fields by their labels, use the keyboard, log in,
and run axe-core on a page.

axe-core (`vendor/axe.min.js`, MPL-2.0, see `vendor/README.md`) is only ever loaded
into the test browser; no page of the portal serves it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client

from clinic.models import User
from procedures.intake import QUESTIONS, Kind

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
# The impacts that fail a page: "minor" and "moderate" are reported by axe, not blocked.
BLOCKING_IMPACTS = ("serious", "critical")
# The intake's choice answers the browser tests give; every yes/no question is answered "no".
INTAKE_CHOICES = {
    "sex": "female",
    "pregnant": "no",
    "isotretinoin": "never",
    "autoimmune": "none",
    "collagen_skin_test": "not_done",
    "fitzpatrick": "II",
    "skin_type": "normal",
    "home_patch_test": "not_done",
}


def answer_the_intake_choices(page: Any) -> None:
    """On the intake page: tick INTAKE_CHOICES and "no" for every yes/no question."""
    for key, question in QUESTIONS.items():
        if key in INTAKE_CHOICES:
            page.locator(f'input[name="{key}"][value="{INTAKE_CHOICES[key]}"]').check()
        elif question.kind is Kind.BOOL:
            page.locator(f'input[name="{key}"][value="no"]').check()


def field(page: Any, name: str) -> Any:
    """The input called `name`, found through its label (so every field must have one)."""
    element = page.locator(f'[name="{name}"]').first
    label = page.locator(f'label[for="{element.get_attribute("id")}"]')
    assert label.count() == 1, name
    return element


def press(page: Any, locator: Any) -> None:
    """Operate a link or button with the keyboard: focus it, press Enter."""
    kind = locator.evaluate("e => e.tagName + (e.type ? ':' + e.type : '')")
    assert kind in ("A", "BUTTON:submit", "INPUT:submit"), kind  # real controls, not divs
    locator.focus()
    page.keyboard.press("Enter")


def activate(page: Any, locator: Any) -> None:
    """Reach a link or button with Tab, then press Enter (a keyboard user's click)."""
    kind = locator.evaluate("e => e.tagName + (e.type ? ':' + e.type : '')")
    assert kind in ("A", "BUTTON:submit", "INPUT:submit"), kind  # real controls, not divs
    tab_to(page, locator)
    page.keyboard.press("Enter")


def tab_to(page: Any, locator: Any, *, limit: int = 200) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user moves through a page.

    Fails when the element is never reached (not focusable, or hidden from the keyboard),
    and when the focused element shows no focus ring.
    """
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("e => e === document.activeElement"):
            assert_focus_is_visible(page)
            return
    raise AssertionError(f"Tab never reached {locator}")


def assert_focus_is_visible(page: Any) -> None:
    """The focused element draws an outline or a box shadow (the browser's or Bootstrap's)."""
    ring = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
                    shadow: style.boxShadow !== 'none'};
        }"""
    )
    assert ring["outline"] or ring["shadow"], "the focused element shows no focus ring"


def log_in_with_the_form(page: Any, email: str, password: str) -> None:
    """On the login page, log in as a person does: type the address and password, submit."""
    field(page, "username").fill(email)
    field(page, "password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def sign_in(page: Any, live_server: Any, user: User, *, language: str = "en") -> None:
    """Give the browser a logged-in session of `user` (no login form) in `language`."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    use_language(page, live_server, language)


def use_language(page: Any, live_server: Any, language: str) -> None:
    """Choose the language as the switcher would (through its cookie)."""
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page as it stands; the serious and critical violations.

    The script is evaluated through the DevTools protocol, which the page's CSP does
    not govern, so the CSP stays on (and checked) while axe runs.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {_axe_source()}\n}}")
    results = page.evaluate(
        """async () => {
            const results = await axe.run(document, {
                runOnly: {type: 'tag', values: [
                    'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
                resultTypes: ['violations'],
            });
            return results.violations;
        }"""
    )
    return [v for v in results if v["impact"] in BLOCKING_IMPACTS]


def unlabelled_fields(page: Any) -> list[str]:
    """The form fields a screen reader could not name, or would name twice.

    Each visible field needs exactly one label: a `<label for>` pointing at its id (which
    no other element shares), a `<label>` around it, or `aria-label`/`aria-labelledby`.
    axe only "asks for review" when two fields share an id, so this checks it outright.
    """
    return page.evaluate(
        """() => {
            const fields = document.querySelectorAll(
                'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea');
            const problems = [];
            for (const field of fields) {
                if (!field.getClientRects().length) continue;  // not shown
                const name = field.outerHTML.slice(0, 120);
                if (field.ariaLabel || field.getAttribute('aria-labelledby')) continue;
                const wrapped = field.closest('label') !== null;
                const pointing = field.id
                    ? document.querySelectorAll(`label[for="${CSS.escape(field.id)}"]`).length : 0;
                const sharing = field.id
                    ? document.querySelectorAll(`[id="${CSS.escape(field.id)}"]`).length : 0;
                if (sharing > 1) problems.push(`id shared by ${sharing} elements: ${name}`);
                else if (pointing + (wrapped ? 1 : 0) === 0) problems.push(`no label: ${name}`);
                else if (pointing > 1) problems.push(`${pointing} labels: ${name}`);
            }
            return problems;
        }"""
    )


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations as lines a person can act on: the rule, its help, the elements."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"  - {node['target']}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


def accessibility_problems(page: Any) -> str:
    """axe's serious and critical violations and the unlabelled fields, as text ("" if none)."""
    text = describe(axe_violations(page))
    fields = unlabelled_fields(page)
    if fields:
        text += "\nform fields:\n" + "\n".join(f"  - {problem}" for problem in fields)
    return text.strip()
