"""The automatic Traditional Chinese rendering under /zh-hant/."""

from publishing.translation.hant import convert_html


def test_text_and_attributes_are_converted_links_stay_in_zh_hant():
    html = (
        '<html lang="zh-hans"><title>间充质干细胞</title>'
        '<nav aria-label="当前位置"><a href="/zh-hans/a/">硬皮病手册</a></nav>'
        '<form action="/zh-hans/search/"><input placeholder="搜索"></form></html>'
    )
    out = convert_html(html)
    assert '<html lang="zh-Hant">' in out
    assert "<title>間充質幹細胞</title>" in out
    assert 'aria-label="當前位置"' in out and 'placeholder="搜索"' in out
    assert '<a href="/zh-hant/a/">硬皮病手冊</a>' in out
    assert 'action="/zh-hant/search/"' in out


def test_hreflang_links_no_translate_elements_and_scripts_are_left_alone():
    html = (
        '<link rel="alternate" hreflang="zh-Hans" href="/zh-hans/a/">'
        '<a href="/i18n/choose/?next=/zh-hans/a/" hreflang="zh-Hans">'
        '<span lang="zh-Hans" translate="no">简体中文<span>体</span></span></a>'
        "<script>var s = '简体';</script><p>简体</p>"
    )
    out = convert_html(html)
    assert '<link rel="alternate" hreflang="zh-Hans" href="/zh-hans/a/">' in out
    assert '<span lang="zh-Hans" translate="no">简体中文<span>体</span></span>' in out
    assert "<script>var s = '简体';</script>" in out
    assert "<p>簡體</p>" in out


def test_demo_page_in_traditional_chinese(demo, client):
    url = demo.url.replace("/zh-hans/", "/zh-hant/", 1)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "zh-Hant"
    assert '<html lang="zh-Hant">' in html
    assert "<h1>間充質幹細胞</h1>" in html
    assert "本頁由簡體中文自動轉換" in html
    assert 'href="/zh-hant/experimental-treatment/"' in html  # breadcrumbs stay in zh-Hant
    assert 'id="trial-NCT02213705"' in html
    nav = html[html.index('<nav class="language-switch"') :]
    assert ">简体中文<" in nav and 'aria-current="page"' in nav


def test_prefix_without_slash_and_redirects_stay_in_zh_hant(demo, client):
    assert client.get("/zh-hant")["Location"] == "/zh-hant/"
    # Wagtail redirects a page address without its final slash; the answer keeps the prefix.
    response = client.get("/zh-hant/experimental-treatment")
    assert response.status_code in (301, 302)
    assert response["Location"].startswith("/zh-hant/")


def test_traditional_search(demo, client):
    html = client.get("/zh-hant/search/", {"q": "幹細胞"}).content.decode()
    assert 'href="/zh-hant/experimental-treatment/jian-chong-zhi-gan-xi-bao/"' in html
    assert "間充質幹細胞" in html
