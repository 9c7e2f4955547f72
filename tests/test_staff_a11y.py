"""The staff console's accessibility in Debian's headless chromium (tests/conftest.py's
`browser`): axe-core (`make axe`: pinned, its tarball's sha512 checked, in var/npm) run
on every page, in French and in English, over made-up conversations in both languages
and stored XSS attempts (bench/staff_demo.py), finds no serious or critical violation;
and a keyboard alone (Tab, Enter) signs in and opens a transcript, each focused control
outlined. axe is injected by the test, never served by the app. Without axe: a skip
saying why on a developer's machine, a failure in CI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from bench.staff_demo import PASSWORD, USERNAME, Demo, Say, console
from tests.conftest import ROOT, unavailable

pytestmark = pytest.mark.slow

AXE_DIR = ROOT / "var" / "npm" / "axe-core"
BLOCKING = ("serious", "critical")
XSS = (
    Demo(
        "web:demo-xss",
        "en",
        0.1,
        (
            Say('<img src=x onerror="window.__xss=1">', "nlu_fallback", 0.2, "utter_default", "?"),
            Say("<script>window.__xss=1</script>", "nlu_fallback", 0.2, "utter_default", "?"),
        ),
    ),
)
PAGES = {
    "list": "/staff",
    "transcript": "/staff/conversations/whatsapp:demo-0042",
    "transcript with sources": "/staff/conversations/web:demo-7f3a",
    "dashboard": "/staff/dashboard",
    "follow-ups": "/staff/followups",
    "unanswered": "/staff/unanswered",
    "audit": "/staff/audit",
    "not found": "/staff/conversations/web:nobody",
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    found = sorted(AXE_DIR.glob("*/axe.min.js"))
    if not found:
        unavailable(f"axe-core is not in {AXE_DIR}: `make axe` fetches it (make test does)")
    return found[-1].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with console(tmp_path_factory.mktemp("staff-a11y"), extra=XSS) as url:
        yield url


def sign_in(browser: webdriver.Chrome, url: str, language: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{url}/staff/login?lang={language}")
    browser.find_element(By.ID, "username").send_keys(USERNAME)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda b: b.current_url.rstrip("/").endswith("/staff"))


def audit(browser: webdriver.Chrome, axe_source: str) -> list[dict[str, Any]]:
    """axe's violations on the page as it is, the charts' data tables opened."""
    browser.execute_script(
        axe_source + "\n;document.querySelectorAll('details').forEach(d => { d.open = true; });"
    )
    browser.set_script_timeout(60)
    violations: list[dict[str, Any]] = browser.execute_async_script(
        """const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ["violations"]}).then(
          r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))),
          e => done([{id: "axe-error", impact: "critical", help: String(e), nodes: []}]));"""
    )
    return violations


def test_axe_finds_a_planted_violation(
    browser: webdriver.Chrome, demo_url: str, axe_source: str
) -> None:
    """The harness reports what axe finds: a button without a name and an image
    without a text alternative, added to the login page."""
    browser.delete_all_cookies()
    browser.get(f"{demo_url}/staff/login?lang=en")
    browser.execute_script(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<button></button><img src=\"/static/none.png\">')"
    )
    found = {v["id"]: v["impact"] for v in audit(browser, axe_source)}
    assert found == {"button-name": "critical", "image-alt": "critical"}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_serious_violation_on_any_page(
    browser: webdriver.Chrome, demo_url: str, axe_source: str, language: str
) -> None:
    browser.delete_all_cookies()
    browser.get(f"{demo_url}/staff/login?lang={language}")
    found = {"login": audit(browser, axe_source)}
    sign_in(browser, demo_url, language)
    for name, path in PAGES.items():
        browser.get(demo_url + path)
        WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.TAG_NAME, "main"))
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
        assert browser.execute_script("return typeof window.__xss") == "undefined"
        found[name] = audit(browser, axe_source)
    print(json.dumps(found, indent=1, ensure_ascii=False))  # what is left, with -s
    blocking = {
        page: [v for v in violations if v["impact"] in BLOCKING]
        for page, violations in found.items()
    }
    assert blocking == {page: [] for page in found}


def focused(browser: webdriver.Chrome) -> dict[str, Any]:
    """The focused element: its id, link target, outline as drawn and the colour
    behind the outline (the first opaque background of its ancestors)."""
    state: dict[str, Any] = browser.execute_script(
        """const e = document.activeElement, s = getComputedStyle(e);
        let behind = "rgb(255, 255, 255)";
        for (let p = e.parentElement; p; p = p.parentElement) {
          const c = getComputedStyle(p).backgroundColor;
          if (c !== "transparent" && !c.endsWith(", 0)")) { behind = c; break; }
        }
        return {id: e.id, href: e.getAttribute("href") || "", outline: s.outlineStyle,
                width: parseFloat(s.outlineWidth), colour: s.outlineColor, behind};"""
    )
    return state


def luminance(css: str) -> float:
    """WCAG's relative luminance of an `rgb(r, g, b)` colour."""
    channels = [int(part) / 255 for part in css[css.index("(") + 1 : -1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def tab_to(browser: webdriver.Chrome, wanted: Any, limit: int = 60) -> dict[str, Any]:
    """Press Tab until the focused element is `wanted` (a predicate); each element
    reached on the way must show its focus: a 2-pixel outline or more, at 3:1 against
    what is behind it (WCAG 2.4.11, 1.4.11)."""
    for _ in range(limit):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        state = focused(browser)
        assert state["outline"] not in ("none", "auto") and state["width"] >= 2, state
        assert contrast(state["colour"], state["behind"]) >= 3, state
        if wanted(state):
            return state
    raise AssertionError(f"not reached with {limit} presses of Tab")


def test_keyboard_alone_signs_in_and_opens_a_transcript(
    browser: webdriver.Chrome, demo_url: str
) -> None:
    browser.delete_all_cookies()
    browser.get(f"{demo_url}/staff/login?lang=en")
    assert focused(browser)["id"] == "username"  # autofocus
    ActionChains(browser).send_keys(USERNAME).perform()
    tab_to(browser, lambda s: s["id"] == "password", limit=1)
    ActionChains(browser).send_keys(PASSWORD, Keys.ENTER).perform()
    WebDriverWait(browser, 30).until(lambda b: b.current_url.rstrip("/").endswith("/staff"))
    skip = tab_to(browser, lambda s: True)  # the first stop of a page: the skip link
    assert skip["href"] == "#content"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert focused(browser)["id"] == "content"
    link = tab_to(browser, lambda s: "/staff/conversations/" in s["href"], limit=120)
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    WebDriverWait(browser, 30).until(lambda b: b.current_url.endswith(link["href"]))
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert unquote(link["href"].rsplit("/", 1)[1]) in heading
