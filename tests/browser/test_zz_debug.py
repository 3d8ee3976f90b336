import pytest
from tests.browser.conftest import PHONE
from tests.browser.pages import PUBLIC_PAGES
pytestmark = pytest.mark.browser
@pytest.mark.parametrize("name", ["typology", "workplan", "organizations"])
def test_debug(records, new_page, name):
    page = new_page(viewport=PHONE)
    page.goto(PUBLIC_PAGES[name]())
    print(name, page.evaluate("""() => { const out = []; for (const e of document.querySelectorAll('body *')) { const d = e.style.display; e.style.display = 'none'; const w = document.documentElement.scrollWidth; e.style.display = d; if (w <= 375) out.push(e.tagName + '.' + e.className + '#' + e.id); } return out.slice(0, 10); }"""), page.evaluate("document.documentElement.scrollWidth"), page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible' ).slice(0, 8).map(e => e.tagName + '.' + e.className + ' sw=' + e.scrollWidth + ' cw=' + e.clientWidth + ' ' + (e.textContent||'').trim().slice(0,50))"""))
