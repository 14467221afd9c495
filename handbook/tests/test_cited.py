"""The handbook tells `sync_trials` what it cites through the setting trials reads, drafts
included, without trials importing the handbook."""

from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Locale

from handbook import actions
from trials.cited import cited_nct_ids

SEED = (
    Path(__file__).resolve().parents[2] / "demo/data/brochures/mesenchymal-stem-cells.zh-hans.txt"
)


@pytest.mark.django_db
def test_the_configured_provider_names_the_numbers_of_a_draft_page():
    Locale.objects.get_or_create(language_code="zh-hans")
    actions.ensure_handbook_root(locale_code="zh-hans", title="硬皮病手册")
    assert cited_nct_ids() == set()
    call_command("import_brochure", str(SEED), locale="zh-hans")  # a draft, not published
    assert {"NCT00962923", "NCT02213705", "NCT03211793", "NCT02975960"} <= cited_nct_ids()
