"""Handbook pages and the organisation's site-wide settings."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from core.identifiers import find_nct_ids
from handbook.blocks import TRIAL_MEMO, HandbookStreamBlock
from handbook.validators import WebAddressValidator, web_link


class HandbookIndexPage(Page):
    """The handbook's front page: the organisation and the list of sections."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["handbook.SectionPage", "handbook.HandbookPage"]
    parent_page_types = ["wagtailcore.Page"]
    template = "pages/handbook_index_page.html"

    class Meta:
        verbose_name = _("handbook index")

    def sections(self):
        """Sections by their order number (experimental treatments first), then tree order."""
        return SectionPage.objects.child_of(self).live().public().order_by("sort_order", "path")

    def loose_pages(self):
        """Handbook pages placed directly under the index, outside any section."""
        return HandbookPage.objects.child_of(self).live().public().order_by("path")


class SectionPage(Page):
    """A group of handbook pages, e.g. 实验性治疗方法 (experimental treatments)."""

    intro = models.TextField(_("introduction"), blank=True)
    sort_order = models.IntegerField(
        _("order"), default=0, help_text=_("Sections are listed by this number, smallest first.")
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("sort_order")]
    parent_page_types = ["handbook.HandbookIndexPage"]
    subpage_types = ["handbook.HandbookPage"]
    template = "pages/section_page.html"

    class Meta:
        verbose_name = _("handbook section")

    def handbook_pages(self):
        return self.get_children().live().public().specific()


class HandbookPage(Page):
    """One handbook topic, such as 间充质干细胞; its trial cards show live registry facts."""

    body = StreamField(HandbookStreamBlock(), verbose_name=_("body"), blank=True)
    source_key = models.CharField(
        _("import key"),
        max_length=255,
        blank=True,
        db_index=True,
        help_text=_(
            "Set by the brochure importer so that importing the same brochure again updates "
            "this page instead of creating another."
        ),
    )

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    # The import key is the same in every language: translators must not be asked to translate it.
    override_translatable_fields = [SynchronizedField("source_key")]
    parent_page_types = ["handbook.SectionPage", "handbook.HandbookIndexPage"]
    subpage_types = []
    template = "pages/handbook_page.html"

    class Meta:
        verbose_name = _("handbook page")

    def get_context(self, request, *args, **kwargs):
        """One memo of stored trials per render: the first card reads every trial the page
        cites (four queries), the others reuse it. Built per render and never kept, so a sync
        between two requests shows on the second."""
        from handbook.cards import StoredTrials

        context = super().get_context(request, *args, **kwargs)
        context[TRIAL_MEMO] = StoredTrials(self.cited_nct_ids())
        return context

    def cited_nct_ids(self) -> list[str]:
        """NCT numbers with a card on this page, in page order."""
        return [block.value["nct_id"] for block in self.body if block.block_type == "trial"]

    def mentioned_nct_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for block in self.body:
            if block.block_type == "trial":
                seen.setdefault(block.value["nct_id"], None)
            elif block.block_type == "paragraph":
                for nct_id in find_nct_ids(block.value.source):
                    seen.setdefault(nct_id, None)
        return list(seen)


@register_setting(icon="group")
class OrganisationSettings(BaseSiteSetting):
    """Who publishes the handbook: shown in every page's footer, the PDF and WeChat articles."""

    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    full_name = models.CharField(_("registered name"), max_length=200, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    vision = models.CharField(_("vision"), max_length=300, blank=True)
    mission = models.CharField(_("mission"), max_length=300, blank=True)
    slogan = models.CharField(_("slogan"), max_length=200, blank=True)
    phone = models.CharField(_("office phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.CharField(
        _("website"), max_length=200, blank=True, validators=[WebAddressValidator()]
    )
    weibo = models.CharField(_("Weibo"), max_length=100, blank=True)
    wechat_account = models.CharField(_("WeChat official account"), max_length=100, blank=True)
    qq_group = models.CharField(_("patients' QQ group"), max_length=50, blank=True)
    qq_group_rule = models.CharField(
        _("QQ group joining rule"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 进群需提供诊断证明 (a proof of diagnosis is needed to join)."),
    )
    translation_credit = models.CharField(_("translation credit"), max_length=300, blank=True)
    disclaimer = models.TextField(
        _("disclaimer"),
        blank=True,
        help_text=_("Shown at the foot of every page and in every PDF and article."),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("short_name"),
                FieldPanel("full_name"),
                FieldPanel("name_en"),
                FieldPanel("tagline"),
            ],
            heading=_("Name"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("introduction"),
                FieldPanel("vision"),
                FieldPanel("mission"),
                FieldPanel("slogan"),
                FieldPanel("translation_credit"),
            ],
            heading=_("About"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("website"),
                FieldPanel("weibo"),
                FieldPanel("wechat_account"),
                FieldPanel("qq_group"),
                FieldPanel("qq_group_rule"),
            ],
            heading=_("Contacts"),
        ),
        FieldPanel("disclaimer"),
    ]

    class Meta:
        verbose_name = _("organisation")

    @property
    def website_url(self) -> str:
        """The website as an http(s) link, or "" (the footer then shows it as plain text)."""
        return web_link(self.website)
