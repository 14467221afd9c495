"""A trial's timeline: what was planned, what happened, and what the registry said when.

`build_timeline` is a pure function of a trial, its stored versions, its result papers and
`today`: no queries, no clock. It reads only stored registry facts, so every point on the
timeline can be traced to a registry record (the medical content rules). Earlier plans that a
later record replaced stay visible as "superseded", because a completion date that slipped
three times tells a patient something the current record alone does not.

`layout_svg` turns a timeline into shapes for a 320-unit-wide SVG (the card on a 360 px
phone), and `TimelineEvent.text` gives the same facts as words: the text alternative, and
what the WeChat export uses (WeChat strips SVG).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from trials.dates import DateParseError, PartialDate
from trials.labels import status_label
from trials.models import DateType, OverallStatus

REGISTERED = "registered"
START = "start"
PRIMARY_COMPLETION = "primary_completion"
COMPLETION = "completion"
STATUS = "status"
RESULTS = "results"
PUBLICATION = "publication"

LANE_TRIAL = "trial"
LANE_STATUS = "status"
LANE_RESULTS = "results"

MILESTONES = (
    (START, "start_date", "start_date_type"),
    (PRIMARY_COMPLETION, "primary_completion_date", "primary_completion_date_type"),
    (COMPLETION, "completion_date", "completion_date_type"),
)
_LANE = {
    REGISTERED: LANE_TRIAL,
    START: LANE_TRIAL,
    PRIMARY_COMPLETION: LANE_TRIAL,
    COMPLETION: LANE_TRIAL,
    STATUS: LANE_STATUS,
    RESULTS: LANE_RESULTS,
    PUBLICATION: LANE_RESULTS,
}
OPEN = {
    OverallStatus.RECRUITING,
    OverallStatus.NOT_YET_RECRUITING,
    OverallStatus.ENROLLING_BY_INVITATION,
    OverallStatus.AVAILABLE,
}
STOPPED = {
    OverallStatus.UNKNOWN,
    OverallStatus.SUSPENDED,
    OverallStatus.TERMINATED,
    OverallStatus.WITHDRAWN,
    OverallStatus.WITHHELD,
    OverallStatus.TEMPORARILY_NOT_AVAILABLE,
    OverallStatus.NO_LONGER_AVAILABLE,
}


def _partial(value: str | None) -> PartialDate | None:
    try:
        return PartialDate.from_iso(value) if value else None
    except DateParseError:
        return None


def _day(value: dt.date) -> PartialDate:
    return PartialDate(value.year, value.month, value.day)


def _midpoint(value: PartialDate) -> dt.date:
    first, last = value.earliest(), value.latest()
    return first + (last - first) / 2


@dataclass(frozen=True)
class TimelineEvent:
    """One dated fact from a stored record; `text` words it in the active language."""

    kind: str
    when: PartialDate
    date_type: str = ""
    superseded: bool = False
    recorded_on: dt.date | None = None
    status: str = ""
    previous_status: str = ""
    previous_recorded_on: dt.date | None = None
    overdue: bool = False
    pmid: str = ""
    journal: str = ""

    @property
    def lane(self) -> str:
        return _LANE[self.kind]

    @property
    def actual(self) -> bool:
        return self.date_type == DateType.ACTUAL

    @property
    def planned(self) -> bool:
        return self.date_type == DateType.ESTIMATED

    @property
    def date_text(self) -> str:
        return self.when.format()

    @property
    def status_group(self) -> str:
        if self.status in OPEN:
            return "open"
        if self.status in STOPPED:
            return "stopped"
        if self.status == OverallStatus.COMPLETED:
            return "done"
        return "other"

    @property
    def text(self) -> str:
        if self.kind == REGISTERED:
            return _("Registered on ClinicalTrials.gov")
        if self.kind in (START, PRIMARY_COMPLETION, COMPLETION):
            return self._milestone_text()
        if self.kind == STATUS:
            if self.previous_status:
                return _(
                    "Registry record shows the status %(status)s (the record of %(date)s "
                    "showed %(previous)s)"
                ) % {
                    "status": status_label(self.status),
                    "previous": status_label(self.previous_status),
                    "date": _day(self.previous_recorded_on).format(),
                }
            return _("Registry record shows the status %(status)s") % {
                "status": status_label(self.status)
            }
        if self.kind == RESULTS:
            return _("Results first posted on the registry")
        if self.journal:
            return _("Results paper published in %(journal)s (PubMed %(pmid)s)") % {
                "journal": self.journal,
                "pmid": self.pmid,
            }
        return _("Results paper published (PubMed %(pmid)s)") % {"pmid": self.pmid}

    @property
    def milestone_name(self) -> str:
        # Only the one name asked for is translated (this runs for every mark and text line).
        actual, planned = self.actual, self.planned
        if self.kind == START:
            return (
                _("Start (actual)") if actual else _("Start (planned)") if planned else _("Start")
            )
        if self.kind == PRIMARY_COMPLETION:
            if actual:
                return _("Primary completion (actual)")
            return _("Primary completion (planned)") if planned else _("Primary completion")
        if self.kind == COMPLETION:
            if actual:
                return _("Completion (actual)")
            return _("Completion (planned)") if planned else _("Completion")
        raise KeyError(self.kind)

    def _milestone_text(self) -> str:
        name = self.milestone_name
        if self.superseded:
            return _("%(milestone)s in the registry record of %(date)s; later changed") % {
                "milestone": name,
                "date": _day(self.recorded_on).format(),
            }
        if self.overdue:
            return _(
                "%(milestone)s: this date has passed and the registry gives no actual date"
            ) % {"milestone": name}
        return name


@dataclass
class Timeline:
    nct_id: str
    today: dt.date
    events: list[TimelineEvent] = field(default_factory=list)

    def of_kind(self, kind: str, *, superseded: bool = False) -> list[TimelineEvent]:
        return [e for e in self.events if e.kind == kind and e.superseded == superseded]

    def current(self, kind: str) -> TimelineEvent | None:
        found = self.of_kind(kind)
        return found[0] if found else None

    @property
    def summary(self) -> str:
        """One sentence for the SVG's title: start, completion and the latest status."""
        parts = []
        for kind in (START, COMPLETION):
            event = self.current(kind)
            if event:
                parts.append(f"{event.milestone_name} {event.date_text}")
        statuses = self.of_kind(STATUS)
        if statuses:
            parts.append(status_label(statuses[-1].status))
        return _("Timeline of %(nct_id)s: %(facts)s") % {
            "nct_id": self.nct_id,
            "facts": _("; ").join(parts) if parts else _("no dates in the registry record"),
        }


def build_timeline(
    trial, versions: Iterable, *, publications: Iterable = (), today: dt.date
) -> Timeline:
    """The timeline of `trial` from its stored `versions` (objects with `snapshot_date` and
    `fields`) and result `publications` (objects with `year`, `pmid`, `journal`)."""
    versions = sorted(versions, key=lambda version: version.snapshot_date)
    events: list[TimelineEvent] = []

    registered = _partial(trial.first_posted)
    if registered:
        events.append(TimelineEvent(kind=REGISTERED, when=registered, date_type=DateType.ACTUAL))

    for kind, value_field, type_field in MILESTONES:
        current_value = getattr(trial, value_field)
        earlier: dict[str, TimelineEvent] = {}
        for version in versions:
            value = version.fields.get(value_field) or ""
            when = _partial(value)
            if when is None or value == current_value:
                continue
            earlier[value] = TimelineEvent(
                kind=kind,
                when=when,
                date_type=version.fields.get(type_field) or "",
                superseded=True,
                recorded_on=version.snapshot_date,
            )
        events.extend(earlier.values())
        when = _partial(current_value)
        if when:
            date_type = getattr(trial, type_field)
            events.append(
                TimelineEvent(
                    kind=kind,
                    when=when,
                    date_type=date_type,
                    recorded_on=trial.record_date,
                    overdue=date_type == DateType.ESTIMATED and when.is_past(today),
                )
            )

    previous, previous_date = "", None
    for version in versions:
        status = version.fields.get("overall_status") or ""
        if status and status != previous:
            events.append(
                TimelineEvent(
                    kind=STATUS,
                    when=_day(version.snapshot_date),
                    status=status,
                    previous_status=previous,
                    previous_recorded_on=previous_date if previous else None,
                    recorded_on=version.snapshot_date,
                )
            )
        if status:
            previous, previous_date = status, version.snapshot_date
    if not versions and trial.overall_status and trial.record_date:
        events.append(
            TimelineEvent(
                kind=STATUS,
                when=_day(trial.record_date),
                status=trial.overall_status,
                recorded_on=trial.record_date,
            )
        )

    results = _partial(trial.results_first_posted)
    if results:
        events.append(TimelineEvent(kind=RESULTS, when=results, date_type=DateType.ACTUAL))
    for publication in publications:
        if publication.year:
            events.append(
                TimelineEvent(
                    kind=PUBLICATION,
                    when=PartialDate(int(publication.year)),
                    date_type=DateType.ACTUAL,
                    pmid=str(publication.pmid),
                    journal=publication.journal or "",
                )
            )

    order = [REGISTERED, START, STATUS, PRIMARY_COMPLETION, COMPLETION, RESULTS, PUBLICATION]
    events.sort(key=lambda e: (_midpoint(e.when), order.index(e.kind), not e.superseded))
    return Timeline(nct_id=trial.nct_id, today=today, events=events)


# --- SVG layout -------------------------------------------------------------------------

WIDTH = 280  # CSS pixels of a card's inside on a 360 px phone: drawn at 1:1 there
GUTTER = 52
RIGHT = 16
TOP = 24
LANE_GAP = 24
# Colours as presentation attributes, so the SVG looks the same in browsers and WeasyPrint
# without any stylesheet (the site's palette: brand, ok, warn, muted).
BRAND, OK, WARN, MUTED, OLD, PAPER = "#5b2a86", "#1a6b3c", "#8a4b00", "#4d5561", "#8b8f96", "#fff"
STATUS_COLOURS = {"open": OK, "stopped": WARN, "done": BRAND, "other": MUTED}


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    shape: str  # circle | diamond | square | tick
    fill: str
    stroke: str
    label: str
    size: float = 5.0

    @property
    def diamond_points(self) -> str:
        s = self.size + 1
        x, y = self.x, self.y
        return f"{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}"

    @property
    def left(self) -> float:
        return round(self.x - self.size, 1)

    @property
    def top(self) -> float:
        return round(self.y - self.size, 1)

    @property
    def side(self) -> float:
        return self.size * 2


@dataclass(frozen=True)
class Line:
    x1: float
    x2: float
    y: float
    stroke: str
    width: float
    dash: str = ""


@dataclass
class TimelineSvg:
    """Everything the `_timeline.html` template draws, in SVG user units."""

    width: int
    height: int
    lanes: list[tuple[str, float]]
    lines: list[Line]
    marks: list[Mark]
    ticks: list[tuple[float, str]]
    axis_y: float
    plot_left: float
    plot_right: float
    today_x: float
    today_label: str

    @property
    def lane_rows(self) -> list[dict]:
        return [{"name": name, "y": y, "text_y": y + 4} for name, y in self.lanes]

    @property
    def tick_bottom(self) -> float:
        return self.axis_y + 4

    @property
    def tick_label_y(self) -> float:
        return self.axis_y + 16

    @property
    def today_label_x(self) -> float:
        return min(max(self.today_x, self.plot_left + 14), self.plot_right - 14)


def _year_step(years: int) -> int:
    for step in (1, 2, 5, 10, 20):
        if years / step <= 4:
            return step
    return 50


def _mark_for(event: TimelineEvent, x: float, y: float) -> Mark:
    label = f"{event.date_text} {event.text}"
    if event.kind == REGISTERED:
        return Mark(x, y, "tick", MUTED, MUTED, label, 6.0)
    if event.kind in (START, PRIMARY_COMPLETION, COMPLETION):
        if event.superseded:
            return Mark(x, y - 9, "circle", PAPER, OLD, label, 3.0)
        size = 3.5 if event.kind == PRIMARY_COMPLETION else 5.0
        if event.actual:
            return Mark(x, y, "circle", BRAND, BRAND, label, size)
        if not event.date_type:
            return Mark(x, y, "circle", "#b9a5cc", BRAND, label, size)
        return Mark(x, y, "circle", PAPER, WARN if event.overdue else BRAND, label, size)
    if event.kind == STATUS:
        colour = STATUS_COLOURS[event.status_group]
        return Mark(x, y, "diamond", colour, colour, label)
    if event.kind == RESULTS:
        return Mark(x, y, "square", OK, OK, label, 4.5)
    return Mark(x, y, "circle", BRAND, BRAND, label, 4.0)


def layout_svg(timeline: Timeline) -> TimelineSvg:
    """Place the timeline's events on lanes along a year axis that always includes today."""
    dates = [timeline.today] + [_midpoint(e.when) for e in timeline.events]
    first_year = min(d.year for d in dates)
    last_year = max(d.year for d in dates) + 1
    step = _year_step(last_year - first_year)
    first_year -= first_year % step
    last_year += -last_year % step
    lo, hi = dt.date(first_year, 1, 1), dt.date(last_year, 1, 1)
    left, right = float(GUTTER), float(WIDTH - RIGHT)

    def x_of(day: dt.date) -> float:
        return round(left + (right - left) * (day - lo).days / (hi - lo).days, 1)

    wanted = [LANE_TRIAL] + [
        lane for lane in (LANE_STATUS, LANE_RESULTS) if any(e.lane == lane for e in timeline.events)
    ]
    names = {LANE_TRIAL: _("Trial"), LANE_STATUS: _("Status"), LANE_RESULTS: _("Results")}
    lane_y = {lane: TOP + 8 + index * LANE_GAP for index, lane in enumerate(wanted)}
    axis_y = TOP + 8 + len(wanted) * LANE_GAP - 6

    lines: list[Line] = []
    y = lane_y[LANE_TRIAL]
    start = timeline.current(START)
    end = timeline.current(COMPLETION) or timeline.current(PRIMARY_COMPLETION)
    if start and end:
        x1, x2 = x_of(_midpoint(start.when)), x_of(_midpoint(end.when))
        if start.actual and end.actual:
            lines.append(Line(x1, x2, y, BRAND, 4))
        else:
            lines.append(Line(x1, x2, y, BRAND, 3, "5 4"))
    for event in (
        timeline.of_kind(START, superseded=True)
        + timeline.of_kind(COMPLETION, superseded=True)
        + timeline.of_kind(PRIMARY_COMPLETION, superseded=True)
    ):
        current = timeline.current(event.kind)
        if current:
            x1, x2 = x_of(_midpoint(event.when)), x_of(_midpoint(current.when))
            lines.append(Line(min(x1, x2), max(x1, x2), y - 9, OLD, 1.5, "2 3"))
    marks = [
        _mark_for(event, x_of(_midpoint(event.when)), lane_y[event.lane])
        for event in timeline.events
    ]
    years = list(range(first_year, last_year + 1, step))
    ticks = [(x_of(dt.date(year, 1, 1)), str(year)) for year in years]
    today_x = x_of(timeline.today)
    return TimelineSvg(
        width=WIDTH,
        height=int(axis_y + 20),
        lanes=[(names[lane], lane_y[lane]) for lane in wanted],
        lines=lines,
        marks=marks,
        ticks=ticks,
        axis_y=axis_y,
        plot_left=left,
        plot_right=right,
        today_x=today_x,
        today_label=_("today"),
    )


@dataclass
class TimelineView:
    """What a card carries: the data, its SVG layout and the words."""

    timeline: Timeline
    svg: TimelineSvg
    anchor: str

    @property
    def events(self) -> list[TimelineEvent]:
        return self.timeline.events

    @property
    def summary(self) -> str:
        return self.timeline.summary

    @property
    def items(self) -> list[tuple[str, str]]:
        """(date, words) in date order, today included: the text alternative."""
        rows, placed = [], False
        for event in self.timeline.events:
            if not placed and _midpoint(event.when) > self.timeline.today:
                rows.append((_day(self.timeline.today).format(), _("Today")))
                placed = True
            rows.append((event.date_text, event.text))
        if not placed:
            rows.append((_day(self.timeline.today).format(), _("Today")))
        return rows


def trial_timeline(
    trial, *, publications: Iterable = (), today: dt.date, versions: Iterable | None = None
) -> TimelineView | None:
    """The card's timeline, None without dates. `versions` are the trial's stored versions
    when the caller has read them already; without them they are read here (one query)."""
    if versions is None:
        versions = trial.versions.only("snapshot_date", "fields", "trial_id")
    timeline = build_timeline(trial, versions, publications=publications, today=today)
    if not timeline.events:
        return None
    return TimelineView(timeline=timeline, svg=layout_svg(timeline), anchor=f"tl-{trial.nct_id}")
