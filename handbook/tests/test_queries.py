"""`newest_page_change`: the one value the page cache and site search watch for page changes."""

from wagtail.models import Locale

from handbook.actions import ensure_handbook_root
from handbook.models import HandbookPage
from handbook.queries import newest_page_change


def _page(root, title, slug):
    page = HandbookPage(title=title, slug=slug)
    root.add_child(instance=page)
    page.save_revision().publish()
    return HandbookPage.objects.get(pk=page.pk)


def test_every_kind_of_page_change_changes_it(db):
    Locale.objects.get_or_create(language_code="zh-hans")
    root = ensure_handbook_root(locale_code="zh-hans", title="硬皮病手册")
    page = _page(root, "间充质干细胞", "msc")
    other = _page(root, "血浆置换", "plasma")
    seen = [newest_page_change()]
    assert newest_page_change() == seen[-1]

    page.unpublish()
    seen.append(newest_page_change())
    page.save_revision().publish()
    seen.append(newest_page_change())
    page.move(other, pos="last-child")
    seen.append(newest_page_change())
    HandbookPage.objects.filter(pk=other.pk).first().delete()  # in code: Wagtail logs nothing
    seen.append(newest_page_change())

    assert len(set(seen)) == len(seen)
