"""The public site on a 360 px phone: demo page, language switch, search, trial cards,
accessibility (axe-core, WCAG 2.1 A/AA), page weight and no request to any other host."""

import pytest

from publishing.tests.test_public_pages import PRODUCTION_POLICY

pytestmark = pytest.mark.browser

MAX_PAGE_BYTES = 60 * 1024  # HTML + CSS + JS, uncompressed; images aside


def _no_horizontal_scroll(page):
    """Nothing wider than the phone. (A mobile browser widens its layout viewport to fit wide
    content, so window.innerWidth alone would not tell.)"""
    return page.evaluate("document.documentElement.scrollWidth <= 360 && window.innerWidth === 360")


def test_demo_page_on_a_phone(site, page, shot):
    page.goto(site.msc_url["zh-hans"])
    assert page.locator("h1").inner_text() == "间充质干细胞"
    assert page.evaluate("window.innerWidth") == 360
    assert _no_horizontal_scroll(page)
    card = page.locator("#trial-NCT02213705")
    card.scroll_into_view_if_needed()
    assert card.is_visible()
    assert "NCT02213705" in card.inner_text()
    assert "ClinicalTrials.gov" in card.locator(".trial-card__source").inner_text()
    shot("card", full_page=False)
    page.locator(".site-footer").scroll_into_view_if_needed()
    assert "本网站不提供专业医疗建议" in page.locator(".site-footer").inner_text()
    shot("page")


def test_nct_link_in_text_jumps_to_its_card(site, page, shot):
    page.goto(site.msc_url["zh-hans"])
    page.locator('.handbook-body a.nct-link[href="#trial-NCT00962923"]').first.click()
    page.wait_for_url("**#trial-NCT00962923")
    card = page.locator("#trial-NCT00962923")
    box = card.bounding_box()
    assert box is not None and -2 <= box["y"] < 740
    shot("card-target", full_page=False)


def test_language_switch(site, page, shot):
    page.goto(site.msc_url["zh-hans"])
    switch = page.get_by_role("navigation", name="语言")
    switch.get_by_role("link", name="English").click()
    page.wait_for_url(site.msc_url["en"])
    assert page.locator("h1").inner_text() == "Mesenchymal stem cells"
    assert page.locator("html").get_attribute("lang") == "en"
    assert _no_horizontal_scroll(page)
    shot("english")
    # The choice is remembered for the site's front door.
    page.goto(site.url("/"))
    page.wait_for_url(site.index_url["en"])
    page.goto(site.msc_url["en"])
    page.get_by_role("navigation", name="Language").get_by_role("link", name="繁體中文").click()
    page.wait_for_url(site.msc_url["zh-hant"])
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert page.locator("h1").inner_text() == "間充質幹細胞"
    assert "自動轉換" in page.locator(".notice--auto").inner_text()
    assert _no_horizontal_scroll(page)
    shot("traditional")
    page.get_by_role("navigation", name="語言").get_by_role("link", name="简体中文").click()
    page.wait_for_url(site.msc_url["zh-hans"])
    assert page.locator("h1").inner_text() == "间充质干细胞"


def test_search_from_the_header(site, page, shot):
    page.goto(site.index_url["zh-hans"])
    page.get_by_role("searchbox", name="搜索手册").fill("干细胞")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zh-hans/search/?q=*")
    results = page.locator("#search-pages + .search-results")
    assert "间充质干细胞" in results.inner_text()
    assert _no_horizontal_scroll(page)
    shot("zh")
    results.get_by_role("link", name="间充质干细胞").click()
    page.wait_for_url(site.msc_url["zh-hans"])


def test_search_by_nct_number_leads_to_the_card(site, page, shot):
    page.goto(site.url("/zh-hans/search/?q=NCT02213705"))
    trials = page.locator("#search-trials + .search-results")
    link = trials.get_by_role("link").first
    assert "NCT02213705" in link.inner_text()
    shot("results")
    link.click()
    page.wait_for_url("**#trial-NCT02213705")
    card = page.locator("#trial-NCT02213705")
    box = card.bounding_box()
    assert box is not None and -2 <= box["y"] < 740
    shot("card", full_page=False)


def test_english_search(site, page):
    page.goto(site.url("/en/search/?q=stem+cell"))
    pages = page.locator("#search-pages + .search-results")
    assert "Mesenchymal stem cells" in pages.inner_text()
    assert page.locator("html").get_attribute("lang") == "en"


PUBLIC_PAGES = [
    ("index-zh", "/zh-hans/"),
    ("index-en", "/en/"),
    ("index-zh-hant", "/zh-hant/"),
    ("section-zh", "/zh-hans/experimental-treatment/"),
    ("section-en", "/en/experimental-treatment/"),
    ("msc-zh", "msc:zh-hans"),
    ("msc-en", "msc:en"),
    ("msc-zh-hant", "msc:zh-hant"),
    ("search-zh", "/zh-hans/search/?q=%E5%B9%B2%E7%BB%86%E8%83%9E"),
    ("search-en", "/en/search/?q=stem+cell"),
    ("search-none", "/zh-hans/search/?q=zzzz"),
    ("search-empty", "/zh-hans/search/"),
]


def _resolve(site, target: str) -> str:
    if target.startswith("msc:"):
        return site.msc_url[target.removeprefix("msc:")]
    return site.url(target)


@pytest.mark.parametrize(("name", "target"), PUBLIC_PAGES, ids=[name for name, _ in PUBLIC_PAGES])
def test_public_pages_pass_axe_and_stay_light(site, page, shot, axe_violations, name, target):
    response = page.goto(_resolve(site, target))
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    assert _no_horizontal_scroll(page), "wider than a 360 px phone"
    weight = sum(page.weights.values())
    assert weight <= MAX_PAGE_BYTES, f"{weight} bytes of HTML+CSS+JS: {page.weights}"
    violations = axe_violations(page)
    shot(name)
    assert violations == []


def test_pages_work_under_the_production_content_security_policy(site, browser, settings):
    """With DJANGO_DEBUG=false every public page is served with `script-src 'self'`: nothing
    on it may be blocked, and what works without script (the timeline in words, the language
    switch) still works."""
    settings.CONTENT_SECURITY_POLICY = PRODUCTION_POLICY
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    try:
        for target in ("msc:zh-hans", "msc:en", "msc:zh-hant", "/en/", "/zh-hans/search/?q=stem"):
            response = page.goto(_resolve(site, target))
            assert response.headers.get("content-security-policy") == PRODUCTION_POLICY
            page.wait_for_load_state("load")
            assert page.evaluate("window.__csp") == [], target
        page.goto(site.msc_url["zh-hans"])
        details = page.locator("#trial-NCT02213705 details.timeline__text")
        details.locator("summary").click()
        assert details.locator("ol li").first.is_visible()
        page.get_by_role("navigation", name="语言").get_by_role("link", name="English").click()
        page.wait_for_url(site.msc_url["en"])
        assert page.evaluate("window.__csp") == []
        # The watch itself works: an inline script is refused and reported.
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = '1';"
            " document.head.appendChild(s); }"
        )
        page.wait_for_function("window.__csp.length > 0")
        assert page.evaluate("window.__csp")[0].startswith("script-src")
        messages.clear()
    finally:
        context.close()
    assert not [text for text in messages if "Content Security Policy" in text], messages
