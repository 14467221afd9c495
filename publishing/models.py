"""Built publishing outputs kept on disk, so a reader's download does not wait for WeasyPrint."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BuiltFile(models.Model):
    """One cached output (a page's PDF booklet, or the whole handbook's) and what it was built from.

    `source_hash` is the SHA-256 of the HTML the PDF was printed from: when the page, a trial
    card, the organisation's details or the date change, the HTML changes and the file is
    rebuilt; otherwise the stored file is served as it is.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF booklet")

    key = models.CharField(_("key"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PDF)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the whole handbook."),
    )
    locale_code = models.CharField(_("language"), max_length=16)
    path = models.CharField(_("file"), max_length=300)
    source_hash = models.CharField(_("content hash"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    built_at = models.DateTimeField(_("built"))

    class Meta:
        ordering = ["-built_at"]
        verbose_name = _("built file")
        verbose_name_plural = _("built files")

    def __str__(self):
        return f"{self.key} ({self.built_at:%Y-%m-%d %H:%M})"
