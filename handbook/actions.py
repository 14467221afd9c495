"""Every write to handbook pages and organisation settings goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin
from wagtail.models import Locale, Page, Site

from handbook.brochure import Brochure, Heading, Paragraph, TrialRef
from handbook.models import HandbookIndexPage, HandbookPage, OrganisationSettings, SectionPage

ORGANISATION_FIELDS = (
    "short_name",
    "full_name",
    "name_en",
    "tagline",
    "introduction",
    "vision",
    "mission",
    "slogan",
    "phone",
    "email",
    "website",
    "weibo",
    "wechat_account",
    "qq_group",
    "qq_group_rule",
    "translation_credit",
)


class HandbookError(Exception):
    """A handbook write that cannot be done; the message is meant for the operator."""


@dataclass
class BrochureImport:
    page: HandbookPage
    created: bool
    published: bool
    organisation_filled: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def slug_for(title: str) -> str:
    """A readable ASCII slug: pinyin for Chinese titles, so shared links stay short in WeChat."""
    slug = slugify("-".join(lazy_pinyin(title)))
    return slug[:80].strip("-") or "page"


def get_locale(code: str) -> Locale:
    try:
        return Locale.objects.get(language_code=code)
    except Locale.DoesNotExist as exc:
        known = ", ".join(Locale.objects.values_list("language_code", flat=True)) or "-"
        raise HandbookError(
            _("Unknown locale %(code)s (known: %(known)s).") % {"code": code, "known": known}
        ) from exc


@transaction.atomic
def ensure_handbook_root(*, locale_code: str, title: str) -> HandbookIndexPage:
    """The handbook index page for a locale, made the default site's root if there is none yet.

    Wagtail's placeholder welcome page is replaced; an existing index is reused, never doubled.
    """
    locale = get_locale(locale_code)
    index = HandbookIndexPage.objects.filter(locale=locale).first()
    if index is None:
        root = Page.get_first_root_node()
        index = HandbookIndexPage(title=title, slug="handbook", locale=locale)
        root.add_child(instance=index)
        index.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=index, is_default_site=True, site_name=title
        )
    elif site.root_page_id != index.id and not isinstance(
        site.root_page.specific, HandbookIndexPage
    ):
        placeholder = site.root_page
        site.root_page = index
        site.site_name = title
        site.save()
        if (
            placeholder.depth == 2
            and not placeholder.get_children().exists()
            and placeholder.slug == "home"
        ):
            placeholder.delete()
    return index


@transaction.atomic
def ensure_section(
    *, index: HandbookIndexPage, title: str, slug: str | None = None, sort_order: int = 0
) -> SectionPage:
    section = SectionPage.objects.child_of(index).filter(title=title).first()
    if section is None:
        section = SectionPage(
            title=title, slug=slug or slug_for(title), sort_order=sort_order, locale=index.locale
        )
        index.add_child(instance=section)
        section.save_revision().publish()
    return section


def brochure_stream(brochure: Brochure) -> list[tuple[str, object]]:
    """The brochure's blocks as StreamField data."""
    stream = []
    for block in brochure.blocks:
        if isinstance(block, Heading):
            stream.append(("heading", {"text": block.text, "level": block.level}))
        elif isinstance(block, Paragraph):
            stream.append(("paragraph", f"<p>{escape(block.text)}</p>"))
        elif isinstance(block, TrialRef):
            stream.append(("trial", {"nct_id": block.nct_id}))
    return stream


@transaction.atomic
def import_brochure(
    *,
    brochure: Brochure,
    locale_code: str,
    parent: Page | None = None,
    publish: bool = False,
    source_name: str = "",
) -> BrochureImport:
    """Create or update the handbook page for a brochure, as a new revision.

    The page is found again by its import key (the brochure's title in that locale), so a
    re-import never duplicates it, even after an editor renamed its slug. Without `publish`
    the revision is a draft for an editor to approve.
    """
    locale = get_locale(locale_code)
    index = HandbookIndexPage.objects.filter(locale=locale).first()
    if parent is None:
        if index is None:
            raise HandbookError(
                _("There is no handbook index page for %(code)s yet; create one or pass --parent.")
                % {"code": locale_code}
            )
        parent = index
        if brochure.section:
            slug = slugify(brochure.section_en) if brochure.section_en else None
            parent = ensure_section(index=index, title=brochure.section, slug=slug or None)
    key = f"brochure:{brochure.title}"
    existing = HandbookPage.objects.filter(locale=locale, source_key=key).first()
    stream = brochure_stream(brochure)
    if existing is None:
        page = HandbookPage(
            title=brochure.title,
            slug=_free_slug(parent, slug_for(brochure.title)),
            source_key=key,
            locale=locale,
            live=False,
        )
        page.body = stream
        parent.add_child(instance=page)
        created = True
    else:
        page = existing.get_latest_revision_as_object()
        page.body = stream
        created = False
    revision = page.save_revision(log_action=True)
    if publish:
        revision.publish()
        page.refresh_from_db()

    result = BrochureImport(
        page=page, created=created, published=publish, warnings=list(brochure.warnings)
    )
    site = (
        Site.objects.filter(root_page__in=[index] if index else []).first()
        or Site.objects.filter(is_default_site=True).first()
    )
    if site is not None:
        filled, conflicts = update_organisation(
            site=site, values=brochure.organisation, disclaimer=brochure.disclaimer
        )
        result.organisation_filled = filled
        result.warnings.extend(conflicts)
    return result


def _free_slug(parent: Page, slug: str) -> str:
    candidate, number = slug, 2
    while parent.get_children().filter(slug=candidate).exists():
        candidate = f"{slug}-{number}"
        number += 1
    return candidate


@transaction.atomic
def update_organisation(
    *, site: Site, values: dict[str, str], disclaimer: str = ""
) -> tuple[list[str], list[str]]:
    """Fill the organisation settings from a brochure without overwriting an editor's text.

    Returns the fields filled and, for fields that already differ or whose value the field's
    validators refuse (a website that is not http or https), a warning each.
    """
    settings_obj = OrganisationSettings.for_site(site)
    incoming = {
        name: value for name, value in values.items() if name in ORGANISATION_FIELDS and value
    }
    if disclaimer:
        incoming["disclaimer"] = disclaimer
    filled, conflicts = [], []
    for name, value in incoming.items():
        try:
            OrganisationSettings._meta.get_field(name).clean(value, settings_obj)
        except ValidationError as error:
            conflicts.append(
                _("Organisation setting %(field)s not imported (%(error)s): %(value)r.")
                % {"field": name, "error": " ".join(error.messages), "value": value}
            )
            continue
        current = getattr(settings_obj, name)
        if not current:
            setattr(settings_obj, name, value)
            filled.append(name)
        elif current != value:
            conflicts.append(
                _("Organisation setting %(field)s kept as edited (the brochure says %(value)r).")
                % {"field": name, "value": value}
            )
    if filled:
        settings_obj.save()
    return filled, conflicts
