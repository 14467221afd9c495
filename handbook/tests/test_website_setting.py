"""Issue 18, item 5a: the organisation's website is an http(s) address, on save, on import, and
when the footer renders a value stored before the check."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.html import escape
from wagtail.models import Site

from handbook import actions
from handbook.models import OrganisationSettings
from handbook.validators import web_link

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://files.example.org/",
    "https://exa mple.org",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_or_non_web_addresses_are_refused_on_save(db, value):
    org = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
    org.website = value
    with pytest.raises(ValidationError) as excinfo:
        org.full_clean()
    assert "website" in excinfo.value.message_dict
    assert web_link(value) == ""


@pytest.mark.parametrize(
    ("value", "link"),
    [
        ("www.sscchina.org", "https://www.sscchina.org"),
        ("https://www.sscchina.org/about/", "https://www.sscchina.org/about/"),
        ("http://example.org", "http://example.org"),
    ],
)
def test_web_addresses_are_accepted_and_linked(db, value, link):
    org = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
    org.website = value
    org.full_clean()
    assert org.website_url == link


def test_brochure_import_does_not_store_a_javascript_website(db):
    site = Site.objects.get(is_default_site=True)
    filled, warnings = actions.update_organisation(
        site=site, values={"website": "javascript:alert(1)", "phone": "028-1234"}
    )
    org = OrganisationSettings.for_site(site)
    org.refresh_from_db()
    assert filled == ["phone"] and org.website == ""
    assert len(warnings) == 1 and "website" in warnings[0]


@pytest.mark.parametrize("value", HOSTILE)
def test_footer_never_links_a_stored_hostile_value(db, value):
    site = Site.objects.get(is_default_site=True)
    org = OrganisationSettings.for_site(site)
    OrganisationSettings.objects.filter(pk=org.pk).update(website=value, phone="028-1234")
    org.refresh_from_db()
    html = render_to_string(
        "_site_footer.html", {"settings": {"handbook": {"OrganisationSettings": org}}}
    )
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(href.startswith(("tel:", "mailto:", "/")) for href in hrefs)
    assert escape(value.strip()) in html


def test_footer_links_a_good_website(db):
    site = Site.objects.get(is_default_site=True)
    org = OrganisationSettings.for_site(site)
    org.website = "www.sscchina.org"
    html = render_to_string(
        "_site_footer.html", {"settings": {"handbook": {"OrganisationSettings": org}}}
    )
    assert 'href="https://www.sscchina.org"' in html
