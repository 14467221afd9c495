"""The StreamField blocks every handbook page is built from, in one place.

Imported brochures become headings, paragraphs and trial cards; editors use the same blocks.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from core.identifiers import nct_validator

# The context variable holding a render's `handbook.cards.StoredTrials` memo.
TRIAL_MEMO = "stored_trials"


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section")), ("h3", _("Subsection"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        template = "handbook/blocks/_heading.html"
        label = _("Heading")
        description = _("A section heading; it also appears in the booklet's contents.")
        preview_value = {"text": "间充质干细胞疗法作用机理", "level": "h2"}


class ParagraphBlock(blocks.RichTextBlock):
    """Body text. NCT numbers written in it link to the trial's card on the page."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", ["bold", "italic", "link", "ol", "ul"])
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "handbook/blocks/_paragraph.html"
        label = _("Paragraph")
        description = _("Text. Write an NCT number (e.g. NCT00962923) to link to its trial card.")
        preview_value = "<p>一项开放标签的I/II期临床试验（NCT00962923）正在评估同种异体间充质干细胞移植的安全性和有效性。</p>"


class TrialBlock(blocks.StructBlock):
    """A live card for one registered trial, built from the stored registry record."""

    nct_id = blocks.CharBlock(
        label=_("NCT number"),
        max_length=11,
        validators=[nct_validator],
        help_text=_("The trial's ClinicalTrials.gov number, e.g. NCT00962923."),
    )

    def get_context(self, value, parent_context=None):
        """The card, from the page's memo (`TRIAL_MEMO`, set by `HandbookPage.get_context`)
        when there is one, so a page's cards share one read of the trials it cites; rendered
        elsewhere (booklet, preview of one block), the card reads its trial alone."""
        from handbook.cards import trial_card

        context = super().get_context(value, parent_context=parent_context)
        context["card"] = trial_card(value["nct_id"], memo=context.get(TRIAL_MEMO))
        return context

    class Meta:
        icon = "doc-full"
        template = "handbook/blocks/_trial_card.html"
        label = _("Trial card")
        description = _("Shows the registry facts of a trial, with their source and checked date.")
        preview_value = {"nct_id": "NCT00962923"}


class HandbookStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    trial = TrialBlock()
