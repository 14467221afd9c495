"""The trial timeline, from the real seed records (two registry snapshots per trial)."""

import datetime as dt
from copy import deepcopy
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from trials.models import Trial
from trials.tests.conftest import FIXTURES, import_paths
from trials.timeline import (
    COMPLETION,
    PUBLICATION,
    RESULTS,
    START,
    STATUS,
    build_timeline,
    layout_svg,
    trial_timeline,
)

TODAY = dt.date(2026, 11, 25)
SVG = "{http://www.w3.org/2000/svg}"


def timeline_of(nct_id, **kwargs):
    trial = Trial.objects.get(nct_id=nct_id)
    return build_timeline(trial, trial.versions.all(), today=kwargs.pop("today", TODAY), **kwargs)


@pytest.mark.django_db
def test_changed_plans_stay_visible_as_superseded(seed_trials):
    """NCT03211793: the 2018-05-29 record planned a January 2018 start and September 2019
    completion; the 2020-07-28 record moved them to November 2018 and November 2020."""
    timeline = timeline_of("NCT03211793")
    old_start = timeline.of_kind(START, superseded=True)
    assert [(e.when.iso, e.recorded_on) for e in old_start] == [("2018-01", dt.date(2018, 5, 29))]
    assert timeline.current(START).when.iso == "2018-11"
    assert timeline.current(START).planned
    old_end = timeline.of_kind(COMPLETION, superseded=True)
    assert [e.when.iso for e in old_end] == ["2019-09-01"]
    current_end = timeline.current(COMPLETION)
    assert current_end.when.iso == "2020-11-01" and current_end.planned and current_end.overdue
    with translation.override("zh-hans"):
        assert old_start[0].text == "计划开始（见2018年5月29日的注册记录，之后已更改）"
        assert current_end.text == "计划完成：此日期已过，注册库没有给出实际日期"


@pytest.mark.django_db
def test_status_changes_come_from_the_history(seed_trials):
    """NCT02213705 was Recruiting on 2018-05-29 and Unknown status on 2020-07-28."""
    statuses = timeline_of("NCT02213705").of_kind(STATUS)
    assert [(e.when.iso, e.status, e.previous_status) for e in statuses] == [
        ("2018-05-29", "RECRUITING", ""),
        ("2020-07-28", "UNKNOWN", "RECRUITING"),
    ]
    with translation.override("zh-hans"):
        assert statuses[1].text == "注册记录中的状态：状态不明（2018年5月29日的记录为：正在招募）"
    with translation.override("en"):
        assert statuses[1].text == (
            "Registry record shows the status Unknown status "
            "(the record of 29 May 2018 showed Recruiting)"
        )
    unchanged = timeline_of("NCT00962923").of_kind(STATUS)
    assert [(e.when.iso, e.status) for e in unchanged] == [("2018-05-29", "UNKNOWN")]


@pytest.mark.django_db
def test_estimated_completion_that_became_actual(seed_trials):
    """A plan that became a fact: the earlier version's completion was ESTIMATED on another
    day (a deliberately altered copy of the real 2020 record), the current one is ACTUAL."""
    trial = Trial.objects.get(nct_id="NCT02975960")
    current = trial.versions.latest("snapshot_date")
    earlier_fields = deepcopy(current.fields)
    earlier_fields.update(completion_date="2017-12", completion_date_type="ESTIMATED")
    earlier = SimpleNamespace(snapshot_date=dt.date(2017, 3, 1), fields=earlier_fields)
    timeline = build_timeline(trial, [earlier, current], today=TODAY)
    old = timeline.of_kind(COMPLETION, superseded=True)
    assert [(e.when.iso, e.planned) for e in old] == [("2017-12", True)]
    now = timeline.current(COMPLETION)
    assert now.when.iso == "2018-01-20" and now.actual and not now.overdue
    svg = layout_svg(timeline)
    solid = [line for line in svg.lines if line.width == 4]
    assert len(solid) == 1 and not solid[0].dash
    assert any(line.dash == "2 3" for line in svg.lines)


@pytest.mark.django_db
def test_results_and_papers_on_their_own_lane(db):
    """NCT00004563 (2023-02-03 record) has results first posted on the registry."""
    import_paths(FIXTURES / "ssc-trials" / "2023-02-03" / "NCT00004563.xml")
    trial = Trial.objects.get(nct_id="NCT00004563")
    assert trial.results_first_posted
    paper = SimpleNamespace(pmid="16790698", journal="Arthritis <Rheum>", year=2006)
    with translation.override("en"):
        view = trial_timeline(trial, publications=[paper], today=TODAY)
        html = render_to_string("trials/_timeline.html", {"timeline": view})
    kinds = [e.kind for e in view.events]
    assert RESULTS in kinds and PUBLICATION in kinds
    assert kinds.index(PUBLICATION) < kinds.index(RESULTS)
    assert "Results first posted on the registry" in html
    assert "Results paper published in Arthritis &lt;Rheum&gt; (PubMed 16790698)" in html
    assert "<Rheum>" not in html
    assert [name for name, _y in view.svg.lanes] == ["Trial", "Status", "Results"]
