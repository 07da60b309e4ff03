"""Casualty figures across briefings: incident rows with revisions, totals, a bar chart.

An incident reported by several briefings is counted once, with the figures
of the latest briefing; the earlier figures are kept as its revision history
("at least 18 (5 Apr) → 19 (6 Apr)") rather than dropped, because how a toll
grew is itself news. Totals reuse the figure rules of :mod:`briefgen.figures`
through :func:`briefgen.render.totals_of`, so bounds and "dozens" stay honest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from briefgen.dates import MONTH_NAMES
from briefgen.figures import Figure, Total, format_number
from briefgen.indexes import Incident, Place
from briefgen.model import Briefing, CasualtyRecord
from briefgen.render import FigureTotals, totals_of

Column = Callable[[CasualtyRecord], Figure | None]
COLUMNS: dict[str, Column] = {
    "killed": lambda r: r.killed,
    "injured": lambda r: r.injured,
    "children_killed": lambda r: r.children_killed,
    "children_injured": lambda r: r.children_injured,
}


@dataclass(frozen=True, slots=True)
class Step:
    """One figure in an incident's history, with the briefing that first reported it."""

    text: str
    briefing: Briefing

    @property
    def short_date(self) -> str:
        """``5 Apr``: enough beside a figure; the full dateline is in ``<time>``."""
        day = self.briefing.date
        return f"{day.day} {MONTH_NAMES[day.month - 1][:3]}"


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """One dashboard row: the latest figures, each with the history that led to it."""

    incident: Incident
    killed: tuple[Step, ...]
    injured: tuple[Step, ...]
    children_killed: tuple[Step, ...]
    children_injured: tuple[Step, ...]

    @property
    def record(self) -> CasualtyRecord:
        return self.incident.latest.record


def steps(incident: Incident, column: Column) -> tuple[Step, ...]:
    """The figure's values oldest first, a repeated value kept at its first report.

    Empty when no report gave the figure; "—" marks a report that dropped it.
    """
    found: list[Step] = []
    for report in incident.reports:
        figure = column(report.record)
        text = figure.text if figure is not None else "—"
        if found and found[-1].text == text:
            continue
        found.append(Step(text, report.briefing))
    return () if [s.text for s in found] == ["—"] else tuple(found)


def incident_rows(incidents: Iterable[Incident]) -> list[IncidentRow]:
    return [
        IncidentRow(i, *(steps(i, COLUMNS[c]) for c in
                         ("killed", "injured", "children_killed", "children_injured")))
        for i in incidents
    ]


def incident_totals(incidents: Iterable[Incident]) -> FigureTotals:
    """Totals counting each incident once, by its latest report."""
    return totals_of(i.latest.record for i in incidents)


@dataclass(frozen=True, slots=True)
class TotalRow:
    """Totals of a group of incidents (a place or a month)."""

    key: str
    """The place's slug or the month as ``YYYY-MM``."""
    label: str
    incidents: int
    totals: FigureTotals


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTH_NAMES[int(month) - 1]} {year}"


def totals_by_month(incidents: Iterable[Incident]) -> list[TotalRow]:
    """Oldest month first, by the date of each incident's latest record."""
    groups: dict[tuple[int, int], list[Incident]] = {}
    for incident in incidents:
        start = incident.latest.record.date.start
        groups.setdefault((start.year, start.month), []).append(incident)
    rows = []
    for year, month in sorted(groups):
        key = month_key(dt.date(year, month, 1))
        found = groups[year, month]
        rows.append(TotalRow(key, month_label(key), len(found), incident_totals(found)))
    return rows


def totals_by_place(places: Iterable[Place]) -> list[TotalRow]:
    """Places with incidents, by name; an incident belongs to its latest report's place."""
    return [TotalRow(p.slug, p.name, len(p.incidents), incident_totals(p.incidents))
            for p in places if p.incidents]


def bar_label(total: Total) -> str:
    """The bar's number, marked when it is only a lower bound ("20+") or approximate ("~20")."""
    number = format_number(total.low)
    if total.high == total.low and not total.unquantified:
        return f"~{number}" if total.approximate else number
    return f"{number}+"


# Geometry of the chart, in SVG user units (the SVG scales to its container).
_BAR, _GAP, _GROUP_GAP, _PLOT, _TOP, _BOTTOM, _SIDE = 22, 4, 20, 180, 22, 42, 10


def bar_chart(rows: Sequence[TotalRow], title: str) -> Markup:
    """Killed and injured per month as an inline SVG, lower bounds as bar heights.

    No script and no library: the page stays printable and readable offline.
    ``role="img"`` with a ``<title>`` names it for screen readers; the same
    numbers are in a table beside it.
    """
    group = 2 * _BAR + _GAP + _GROUP_GAP
    width = 2 * _SIDE + max(1, len(rows)) * group
    height = _TOP + _PLOT + _BOTTOM
    peak = max([1, *(r.totals.killed.low for r in rows), *(r.totals.injured.low for r in rows)])
    parts = [
        Markup('<svg class="bar-chart" role="img" aria-labelledby="chart-title" '
               'viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
               'xmlns="http://www.w3.org/2000/svg">').format(w=width, h=height),
        Markup('<title id="chart-title">{}</title>').format(title),
        Markup('<line class="axis" x1="{}" y1="{y}" x2="{}" y2="{y}"/>').format(
            _SIDE / 2, width - _SIDE / 2, y=_TOP + _PLOT),
    ]
    for n, row in enumerate(rows):
        x = _SIDE + _GROUP_GAP / 2 + n * group
        for offset, kind, total in ((0, "killed", row.totals.killed),
                                    (_BAR + _GAP, "injured", row.totals.injured)):
            value = total.low
            bar = round(_PLOT * value / peak, 1)
            bx, top = x + offset, _TOP + _PLOT - bar
            parts.append(Markup(
                '<rect class="bar bar-{k}" x="{x}" y="{y}" width="{w}" height="{h}">'
                "<title>{label}, {k}: {text}</title></rect>"
                '<text class="value" x="{cx}" y="{ty}" text-anchor="middle">{v}</text>'
            ).format(k=kind, x=bx, y=top, w=_BAR, h=bar, label=row.label, text=total.text,
                     cx=bx + _BAR / 2, ty=top - 5, v=bar_label(total)))
        month, year = row.label.split(" ")
        parts.append(Markup(
            '<text class="month" x="{cx}" y="{y1}" text-anchor="middle">{m}</text>'
            '<text class="year" x="{cx}" y="{y2}" text-anchor="middle">{yr}</text>'
        ).format(cx=x + _BAR + _GAP / 2, y1=_TOP + _PLOT + 17, y2=_TOP + _PLOT + 33,
                 m=month[:3], yr=year))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


__all__ = [
    "IncidentRow",
    "Step",
    "TotalRow",
    "bar_chart",
    "incident_rows",
    "incident_totals",
    "month_key",
    "month_label",
    "steps",
    "totals_by_month",
    "totals_by_place",
]
