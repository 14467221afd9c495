"""The WeChat article: inline styles only, nothing external, and the admin screen to copy it."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from PIL import Image

from publishing.wechat import inline_styles, wechat_article

SEED_IDS = ["NCT00962923", "NCT02213705", "NCT03211793", "NCT02975960"]
ALLOWED_LINK_HOSTS = ("https://clinicaltrials.gov/", "https://pubmed.ncbi.nlm.nih.gov/")


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def parse(html):
    parser = Elements()
    parser.feed(html)
    return parser


def test_article_keeps_structure_with_inline_styles_only(demo):
    html = wechat_article(demo)
    parsed = parse(html)
    tags = [tag for tag, _attrs in parsed.elements]
    assert not {"style", "link", "script", "svg", "img", "iframe", "details"} & set(tags)
    own_site = demo.get_site().root_url + "/"
    for tag, attrs in parsed.elements:
        assert "class" not in attrs and "id" not in attrs, (tag, attrs)
        if tag not in ("br", "span"):
            assert attrs.get("style"), tag
        if "href" in attrs:
            assert attrs["href"].startswith((*ALLOWED_LINK_HOSTS, own_site)), attrs["href"]
    hrefs = [attrs["href"] for _tag, attrs in parsed.elements if "href" in attrs]
    assert demo.get_full_url() in hrefs  # "read the latest version online"
    assert tags[:2] == ["section", "h1"]
    assert tags.count("h2") >= 3
    assert {"ul", "li"} <= set(tags)  # lists (sites, the timelines in words) stay lists
    cards = [
        attrs for tag, attrs in parsed.elements if "border-left:6px solid" in attrs.get("style", "")
    ]
    assert len(cards) == 4
    text = "".join(parsed.text)
    assert "间充质干细胞" in text and "局部注射间充质干细胞" in text
    for nct_id in SEED_IDS:
        assert nct_id in text and f"https://clinicaltrials.gov/study/{nct_id}" in text
    assert "注册记录中的状态：状态不明（2018年5月29日的记录为：正在招募）" in text
    assert "数据来自 ClinicalTrials.gov，记录日期 2020年7月28日" in text
    last_card = text.rindex("数据来自 ClinicalTrials.gov")
    assert last_card < text.index("本网站不提供专业医疗建议") < text.index("18180768676")
    assert "试验信息截至2020年7月28日" in text


def test_inliner_inlines_local_images_and_drops_what_wechat_strips(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Image.new("RGB", (4, 4), "#5b2a86").save(tmp_path / "logo.png")
    source = (
        '<style>p{color:red}</style><link rel="stylesheet" href="https://cdn.example/x.css">'
        '<script>alert(1)</script><svg><title>t</title><circle r="1"/></svg>'
        '<p class="note" id="x" onclick="evil()">A &amp; B &lt;i&gt; <a href="#card">to card</a> '
        '<a href="javascript:alert(1)">js</a> <a href="/zh-hans/page/">page</a></p>'
        '<img src="/media/logo.png" alt="logo"><img src="https://example.org/a.png" alt="remote">'
    )
    html = inline_styles(
        source, styles={"p": "margin:0", ".note": "color:#333;"}, base_url="https://h.example/"
    )
    assert (
        "<style" not in html
        and "<link" not in html
        and "<script" not in html
        and "<svg" not in html
    )
    assert "alert" not in html and "evil" not in html and "onclick" not in html
    assert '<p style="margin:0;color:#333;">A &amp; B &lt;i&gt; to card js ' in html
    assert '<a href="https://h.example/zh-hans/page/" style=' not in html
    assert '<a href="https://h.example/zh-hans/page/">page</a>' in html
    assert '<img src="data:image/png;base64,' in html and 'alt="logo"' in html
    assert "example.org" not in html and "remote" in html


@pytest.fixture
def editor(demo):
    user = get_user_model().objects.create_user("editor", password="editor-password")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_admin_export_needs_login_and_edit_permission(demo, client, editor):
    url = reverse("publishing_wechat_export", args=[demo.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

    outsider = get_user_model().objects.create_user("reader", password="reader-password")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)
    denied = client.get(url)
    assert (
        denied.status_code in (302, 403)
        and "本网站不提供专业医疗建议" not in denied.content.decode()
    )

    client.force_login(editor)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "复制" in html and 'id="wechat-article"' in html and "wechat_copy.js" in html
    assert "本网站不提供专业医疗建议" in html and "NCT02213705" in html
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[demo.pk])).content.decode()
    assert url in edit and "导出微信文章" in edit


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ('<p><a href="java&#9;script:alert(1)">x</a></p>', "script:"),
        ('<p><a href="java&#x0A;script:alert(1)">x</a></p>', "script:"),
        ('<p><a href=" JAVASCRIPT:alert(1)">x</a></p>', "script:"),
        ('<p><a href="vbscript:msgbox(1)">x</a></p>', "vbscript"),
        ('<p><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a></p>', "data:"),
        ('<p><img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="a"></p>', "svg"),
        ('<p style="background-image:url(https://evil.example/t.png)">x</p>', "url("),
        ('<p style="color:url(javascript:alert(1))">x</p>', "url("),
        ('<p style="color:expression(alert(1))">x</p>', "expression"),
        ('<p style="color:\\72 ed;position:fixed;top:0">x</p>', "position"),
        ('<p><math><mi xlink:href="javascript:alert(1)">x</mi></math></p>', "javascript"),
    ],
    ids=[
        "tab-in-javascript",
        "newline-in-javascript",
        "upper-case-javascript",
        "vbscript",
        "data-url-link",
        "svg-data-image",
        "url-in-style",
        "url-in-allowed-property",
        "css-expression",
        "css-escape-and-unknown-property",
        "mathml-xlink",
    ],
)
def test_sanitiser_allows_only_web_links_image_data_and_known_plain_styles(source, forbidden):
    html = inline_styles(source, styles={"p": "margin:0;", "a": "color:#5b2a86;"})
    assert forbidden not in html.lower()
    assert html.startswith('<p style="margin:0;">')


def test_sanitiser_keeps_web_links_png_data_and_the_article_styles():
    png = "data:image/png;base64,iVBORw0KGgo="
    html = inline_styles(
        f'<p><a href="https://clinicaltrials.gov/study/NCT00962923">NCT00962923</a>'
        f'<img src="{png}" alt="logo"></p>',
        styles={"p": "margin:0 0 14px;", "a": "color:#5b2a86;text-decoration:underline;"},
    )
    assert html == (
        '<p style="margin:0 0 14px;"><a href="https://clinicaltrials.gov/study/NCT00962923" '
        'style="color:#5b2a86;text-decoration:underline;">NCT00962923</a>'
        f'<img src="{png}" alt="logo"></p>'
    )
