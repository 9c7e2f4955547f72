"""End to end in Debian's headless chromium: the page, the widget, the real assistant."""

from __future__ import annotations

from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import Servers, Variant, WebPage, add_participant

pytestmark = pytest.mark.slow


def open_page(browser: webdriver.Chrome, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, 30).until(
        lambda b: b.find_element(By.ID, "chat").get_attribute("data-state") == "ready"
    )


def messages(browser: webdriver.Chrome) -> list[WebElement]:
    return browser.find_elements(By.CSS_SELECTOR, "#chat-log .message")


def ask(browser: webdriver.Chrome, text: str) -> list[tuple[str, str]]:
    """Type a question and press Enter, as a keyboard user would; return the new
    messages as (sender, text)."""
    before = len(messages(browser))
    field = browser.find_element(By.ID, "chat-input")
    field.send_keys(text)
    field.send_keys(Keys.ENTER)
    WebDriverWait(browser, 30).until(
        lambda b: any(
            "message-bot" in (m.get_attribute("class") or "") for m in messages(b)[before:]
        )
    )
    return [read(m) for m in messages(browser)[before:]]


def read(message: WebElement) -> tuple[str, str]:
    sender = "user" if "message-user" in (message.get_attribute("class") or "") else "bot"
    return sender, message.find_element(By.TAG_NAME, "p").text


def bot_variants(new: list[tuple[str, str]], variants: dict[str, Variant]) -> list[Variant]:
    return [variants[text] for sender, text in new if sender == "bot"]


def clear_session(browser: webdriver.Chrome, web_page: WebPage) -> None:
    browser.get(f"{web_page.url}/health")
    browser.delete_all_cookies()
    browser.execute_script("window.localStorage.clear()")


def test_questions_in_french_and_english(
    browser: webdriver.Chrome, web_page: WebPage, variants: dict[str, Variant]
) -> None:
    clear_session(browser, web_page)
    open_page(browser, f"{web_page.url}/?lang=fr")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    new = ask(browser, "Quelles sont les dates de la conférence ?")
    assert new[0] == ("user", "Quelles sont les dates de la conférence ?")
    assert bot_variants(new, variants) == [Variant("answer:dates", "fr")]
    new = ask(browser, "Who is invited?")
    assert bot_variants(new, variants) == [Variant("answer:invitees", "en")]


def test_history_survives_a_reload(
    browser: webdriver.Chrome, web_page: WebPage, variants: dict[str, Variant]
) -> None:
    clear_session(browser, web_page)
    open_page(browser, f"{web_page.url}/?lang=en")
    ask(browser, "When is the conference?")
    ask(browser, "What are the topics?")
    shown = [read(m) for m in messages(browser)]
    browser.refresh()
    open_page(browser, browser.current_url)
    WebDriverWait(browser, 10).until(lambda b: len(messages(b)) == len(shown))
    assert [read(m) for m in messages(browser)] == shown


def test_switching_the_page_language_switches_the_assistant(
    browser: webdriver.Chrome, web_page: WebPage, variants: dict[str, Variant]
) -> None:
    clear_session(browser, web_page)
    open_page(browser, f"{web_page.url}/?lang=en")
    ask(browser, "When is the conference?")
    browser.find_element(By.CSS_SELECTOR, "nav a[hreflang='fr']").click()
    WebDriverWait(browser, 30).until(
        lambda b: (
            bot_variants([read(m) for m in messages(b)][-1:], variants)
            == [Variant("answer:switched+dates", "fr")]  # the last answer, in French
        )
    )
    new = ask(browser, "ok")  # neutral: stays in the language chosen
    assert {v.language for v in bot_variants(new, variants)} == {"fr"}


def test_quick_replies_are_buttons(
    browser: webdriver.Chrome, web_page: WebPage, variants: dict[str, Variant]
) -> None:
    clear_session(browser, web_page)
    open_page(browser, f"{web_page.url}/?lang=fr")
    ask(browser, "Bonjour")
    buttons = browser.find_elements(By.CSS_SELECTOR, "#chat-log .quick-replies button")
    assert [b.text for b in buttons][:2] == ["Dates", "Lieu"]
    before = len(messages(browser))
    buttons[1].send_keys(Keys.ENTER)  # keyboard activation
    WebDriverWait(browser, 30).until(lambda b: len(messages(b)) >= before + 2)
    new = [read(m) for m in messages(browser)[before:]]
    assert new[0] == ("user", "Lieu")
    assert bot_variants(new, variants) == [Variant("answer:venue", "fr")]


def test_markup_typed_by_a_person_is_shown_as_text(
    browser: webdriver.Chrome, web_page: WebPage
) -> None:
    clear_session(browser, web_page)
    open_page(browser, f"{web_page.url}/?lang=en")
    attack = "<img src=x onerror=alert(1)>"
    new = ask(browser, attack)
    assert new[0] == ("user", attack)
    log = browser.find_element(By.ID, "chat-log")
    assert log.find_elements(By.TAG_NAME, "img") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - raises when there is no alert


def test_readable_on_a_small_phone(browser: webdriver.Chrome, web_page: WebPage) -> None:
    browser.set_window_size(360, 740)
    try:
        open_page(browser, f"{web_page.url}/?lang=fr")
        width: Any = browser.execute_script("return document.documentElement.scrollWidth")
        inner: Any = browser.execute_script("return window.innerWidth")
        assert width <= inner, "the page scrolls sideways on a 360-px screen"
        field = browser.find_element(By.ID, "chat-input")
        assert field.size["width"] >= 150
        label = browser.find_element(By.CSS_SELECTOR, "label[for='chat-input']")
        assert label.is_displayed() and label.text
        log = browser.find_element(By.ID, "chat-log")
        assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    finally:
        browser.set_window_size(1280, 900)


def test_keyboard_reaches_the_chat_first(browser: webdriver.Chrome, web_page: WebPage) -> None:
    open_page(browser, f"{web_page.url}/?lang=en")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    skip = browser.switch_to.active_element
    assert skip.get_attribute("class") == "skip"
    skip.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "chat"
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "chat-log"
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "chat-input"


def test_new_conversation_forgets_the_previous_one(
    browser: webdriver.Chrome, web_page: WebPage, variants: dict[str, Variant]
) -> None:
    clear_session(browser, web_page)
    open_page(browser, f"{web_page.url}/?lang=en")
    ask(browser, "When is the conference?")
    first = browser.execute_script("return window.localStorage.getItem('cmc-chat-session')")
    button = browser.find_element(By.ID, "chat-new")
    assert button.text == "New conversation"
    button.click()
    WebDriverWait(browser, 30).until(
        lambda b: b.find_element(By.ID, "chat").get_attribute("data-state") == "ready"
    )
    assert messages(browser) == []
    second = browser.execute_script("return window.localStorage.getItem('cmc-chat-session')")
    assert second and second != first
    browser.refresh()
    open_page(browser, browser.current_url)
    assert messages(browser) == []  # the earlier conversation is not shown again
    assert bot_variants(ask(browser, "Where is it?"), variants) == [Variant("answer:venue", "en")]


def test_a_registration_check_is_not_shown_again_after_a_reload(
    browser: webdriver.Chrome, web_page: WebPage, servers: Servers
) -> None:
    participant = add_participant(servers, "confirmed")
    clear_session(browser, web_page)
    open_page(browser, f"{web_page.url}/?lang=en")
    ask(browser, "Is my registration confirmed?")
    ask(browser, f"{participant.reference} {participant.email}")
    assert any(participant.full_name in text for _, text in map(read, messages(browser)))
    browser.refresh()
    open_page(browser, browser.current_url)
    WebDriverWait(browser, 10).until(lambda b: len(messages(b)) > 0)
    shown = " ".join(text for _, text in map(read, messages(browser)))
    assert "registration check took place" in shown
    for secret in (participant.reference, participant.email, participant.full_name):
        assert secret not in shown
