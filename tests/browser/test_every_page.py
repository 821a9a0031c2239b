"""Every kind of page, at 320, 640 and 1280 px: axe finds no serious or critical violation,
nothing makes a 320 px page scroll sideways, and no form holds another form.

One page object, resized, crawls the portal from the partnership's home as a CSP admin,
visiting one page of each kind (an address with its numbers taken out)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from accounts.models import User
from actionplans.demo import demo_load
from tests.browser.test_plan_journey import sign_in
from tests.helpers import BEDFORD, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 640, 1280)
# Not pages: files, signing out, and Django's own admin screens.
SKIP = re.compile(r"/(admin|sign-out|sign-in|password|two-factor|2fa)/|\.(pdf|csv|png|svg|xlsx)$|/download|/chart")
MOST_PAGES = 60


def kind_of(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def overflow(page: Page) -> list[str]:
    """The page's sideways overflow at this width, and the elements wider than the window."""
    return page.evaluate(
        """() => {
          const doc = document.documentElement;
          if (doc.scrollWidth <= doc.clientWidth) return [];
          // The innermost boxes that reach past the window, or whose own text spills past them.
          const past = el => el.getBoundingClientRect().right > doc.clientWidth + 1;
          const spills = el => getComputedStyle(el).overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1;
          const wide = [...document.querySelectorAll('body *')]
            .filter(el => !el.parentElement.closest('.app-table-scroll'))
            .filter(el => (past(el) && ![...el.children].some(past)) || (spills(el) && el.clientWidth > 0))
            .slice(0, 5)
            .map(el => `${el.tagName.toLowerCase()}.${el.className} ${el.textContent.trim().slice(0, 40)}`);
          return [`scrollWidth ${doc.scrollWidth} > clientWidth ${doc.clientWidth}`, ...wide];
        }"""
    )


def test_every_kind_of_page_is_accessible_and_reflows_at_320_px(
    live_server: Any, page: Page, csp_admin: User, plan: Any, officer: User
) -> None:
    demo_load(today=timezone.localdate(), scale=1)
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)

    queue, seen, problems = [f"/{BEDFORD}/"], set(), {}
    visited = 0
    while queue and visited < MOST_PAGES:
        path = queue.pop(0)
        if kind_of(path) in seen:
            continue
        seen.add(kind_of(path))
        visited += 1
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{base}{path}")
            if width == 320:
                wide = overflow(page)
                if wide:
                    problems[path] = wide
                assert page.locator("form form").count() == 0, f"{path}: a form inside a form"
            assert_accessible(page)
        for href in page.locator("a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            link = urlsplit(href).path
            if not SKIP.search(link) and kind_of(link) not in seen:
                queue.append(link)
    assert problems == {}, problems
    assert visited > 10, seen
