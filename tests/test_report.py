"""Charts and one-file HTML reports of a run and of an options comparison."""

from __future__ import annotations

import base64
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import ccsim
from ccsim import report
from ccsim.scenario.loader import scenario_from_dict
from tests.helpers import ROOT, SCENARIOS, mix_options, stationary

PNG = b"\x89PNG\r\n\x1a\n"
RUN_CHARTS = ["service_level_figure", "waits_figure", "staffing_figure", "occupancy_figure",
              "offered_figure"]  # fmt: skip


@pytest.fixture(scope="module")
def day() -> ccsim.SimulationResult:
    """Three types, three groups, shifts, an IVR and costs."""
    scenario = ccsim.load_scenario(SCENARIOS / "multiskill-day.yaml")
    return ccsim.simulate(scenario, replications=5, engine="fast")


@pytest.fixture(scope="module")
def helpdesk() -> ccsim.SimulationResult:
    """One type, one group, no costs."""
    scenario = ccsim.load_scenario(SCENARIOS / "small-helpdesk.yaml")
    return ccsim.simulate(scenario, replications=5, engine="fast")


@pytest.fixture(scope="module")
def week() -> ccsim.SimulationResult:
    """Five days on phone, chat and e-mail."""
    return ccsim.simulate(SCENARIOS / "telco-week.yaml", replications=3, engine="fast")


@pytest.fixture(scope="module")
def comparison():
    return ccsim.compare(ROOT / "experiments" / "ivr-upgrade.options.yaml", replications=5)


# ------------------------------------------------------------------ figures
def has_data(ax) -> bool:
    lines = any(np.isfinite(np.asarray(x.get_ydata(), float)).any() for x in ax.lines)
    patches = any(p.get_width() > 0 or p.get_height() > 0 for p in ax.patches)
    collections = any(len(c.get_paths()) for c in ax.collections)
    return lines or patches or collections


def assert_readable(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    assert fig.axes, "a figure without axes"
    assert fig.get_suptitle()
    for ax in fig.axes:
        assert has_data(ax), f"empty axes: {ax.get_title()!r}"
        assert ax.get_title(), "an axes without title"
        assert ax.get_ylabel(), f"{ax.get_title()!r} has no y label"
        shared = ax.get_shared_x_axes().get_siblings(ax)
        assert any(a.get_xlabel() for a in shared), f"{ax.get_title()!r} has no x label"
        if len(ax.get_legend_handles_labels()[1]) > 1:
            assert ax.get_legend() is not None, f"{ax.get_title()!r} has no legend"


@pytest.mark.parametrize("name", [*RUN_CHARTS, "cost_figure"])
def test_run_figures_have_data_titles_and_labels(day, name: str) -> None:
    assert_readable(getattr(report, name)(day))


@pytest.mark.parametrize("name", RUN_CHARTS)
def test_figures_of_a_one_queue_centre(helpdesk, name: str) -> None:
    assert_readable(getattr(report, name)(helpdesk))


@pytest.mark.parametrize("name", [*RUN_CHARTS, "cost_figure"])
def test_figures_of_a_week_mark_each_day(week, name: str) -> None:
    fig = getattr(report, name)(week)
    assert_readable(fig)
    for ax in fig.axes:
        labels = [t.get_text() for t in ax.get_xticklabels()]
        if any(label.startswith("Mon") for label in labels):  # a by-interval panel
            assert labels == ["Mon 08:00", "Tue 08:00", "Wed 08:00", "Thu 08:00", "Fri 08:00"]


def test_service_level_figure_draws_every_target(day) -> None:
    (ax,) = report.service_level_figure(day).axes
    targets = sorted(line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == "--")
    assert targets == pytest.approx(sorted(100 * day.plan.sl_target))
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "08:00" and set(labels) <= set(day.interval_labels())


def test_staffing_figure_has_one_panel_per_group_and_erlang_a(day) -> None:
    from ccsim.whatif.requirement import erlang_requirement

    fig = report.staffing_figure(day)
    assert len(fig.axes) == day.plan.n_groups
    need = erlang_requirement(day.plan)
    for j, ax in enumerate(fig.axes):
        assert day.plan.group_names[j] in ax.get_title()
        (erlang,) = [line for line in ax.lines if line.get_label() == "Erlang A"]
        assert list(erlang.get_ydata()[:-1]) == list(need[j])
        assert len(ax.patches) == day.plan.n_intervals  # one bar per interval


def test_offered_figure_plots_the_queue_length_when_results_have_it(helpdesk) -> None:
    fig = report.offered_figure(helpdesk)
    with_queue = "mean_queue" in set(helpdesk.by_interval["kpi"])
    assert len(fig.axes) == 1 + with_queue
    if with_queue:
        assert fig.axes[1].get_title().startswith("Mean queue length")
    # Results without the KPI (older runs): the panel is left out, nothing fails.
    result = ccsim.simulate(helpdesk.scenario, replications=2, engine="fast")
    frame = result.by_interval
    result.__dict__["by_interval"] = frame[frame["kpi"] != "mean_queue"]
    fig = report.offered_figure(result)
    assert len(fig.axes) == 1
    assert_readable(fig)


def test_cost_figure_needs_costs(day, helpdesk) -> None:
    from ccsim.whatif.costs import COMPONENTS

    (ax,) = report.cost_figure(day).axes
    assert [t.get_text() for t in ax.get_yticklabels()] == list(COMPONENTS)
    with pytest.raises(ValueError, match="no costs"):
        report.cost_figure(helpdesk)


def visible_ticks(ax, axis: str = "y") -> list[str]:
    """The tick labels drawn inside the axis' view (after drawing the figure)."""
    ax.figure.canvas.draw()
    low, high = sorted(ax.get_ylim() if axis == "y" else ax.get_xlim())
    ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for v, t in zip(ticks, labels, strict=True) if low <= v <= high]


def test_a_small_abandonment_range_has_distinct_tick_labels() -> None:
    # Four agents on two erlangs with patient callers: under 1 % abandon in any interval.
    spec = stationary(agents=4, load=2.0, patience=600.0, hours=4.0, warmup_hours=0.0)
    result = ccsim.simulate(scenario_from_dict(spec), replications=10, engine="fast")
    _, abandonment = report.waits_figure(result).axes
    top = abandonment.get_ylim()[1]
    assert 0.05 < top < 2.0, "not a small range: the test does not test what it says"
    labels = visible_ticks(abandonment)
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels
    # what whole percents made of the same ticks: "0%", "0%", "0%", "1%"...
    old = [f"{round(float(x.rstrip('%'))):.0f}%" for x in labels]
    assert len(set(old)) < len(old)


@pytest.mark.parametrize("top", [0.03, 0.2, 0.9, 1.5, 7.0, 35.0, 102.0])
def test_percent_ticks_read_apart_at_any_span(top: float) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import MaxNLocator

    from ccsim.report.charts import PercentTicks

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot([0, 1], [0, top])
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(PercentTicks())
    labels = visible_ticks(ax)
    assert len(set(labels)) == len(labels) >= 2, labels
    assert all(label.endswith("%") for label in labels)
    decimals = {len(label.rstrip("%").partition(".")[2]) for label in labels}
    assert len(decimals) == 1  # one format along the axis
    if top >= 7:
        assert decimals == {0}  # whole percents where they are enough


@pytest.mark.parametrize("kpi", report.FOREST_KPIS)
def test_forest_plot_has_one_row_per_option(comparison, kpi: str) -> None:
    fig = report.forest_figure(comparison, kpi)
    assert_readable(fig)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == comparison.options
    assert len(ax.containers) == len(comparison.options)  # one error bar per option
    assert any(line.get_xdata()[0] == 0 for line in ax.lines)  # the line of no change
    for option, bar in zip(comparison.options, ax.containers, strict=True):
        d = comparison.difference(option, kpi)
        scale = 100 if kpi != "asa_s" else 1
        assert bar.lines[0].get_xdata()[0] == pytest.approx(d.mean * scale)
        filled = bar.lines[0].get_markerfacecolor() != "white"
        assert filled == d.significant, option


def test_figures_leave_pyplot_alone(day, comparison) -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    report.service_level_figure(day)
    report.forest_figure(comparison)
    assert plt.get_fignums() == before


def test_import_ccsim_does_not_import_matplotlib() -> None:
    code = "import ccsim, sys; assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ HTML
VOID = {"meta", "img", "br", "hr", "link", "input", "col", "wbr"}


class Page(HTMLParser):
    """Checks that tags nest and close, and collects images and headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.images: list[str] = []
        self.headings: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        if tag not in VOID:
            self.stack.append(tag)
        if tag in {"h1", "h2", "h3"}:
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in {"h1", "h2", "h3"}:
            self.headings[-1] += data


def parse(path: Path) -> tuple[Page, str]:
    text = path.read_text(encoding="utf-8")
    page = Page()
    page.feed(text)
    page.close()
    assert page.doctype.lower() == "doctype html"
    assert not page.problems, page.problems[:5]
    assert not page.stack, f"unclosed: {page.stack}"
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1], validate=True).startswith(PNG)
    assert "http://" not in text and "https://" not in text
    assert "href=" not in text and "url(" not in text  # nothing to fetch: opens offline
    return page, text


def test_run_report_is_one_offline_html_file(day, tmp_path: Path) -> None:
    path = report.run_report(day, tmp_path / "run.html")
    assert path == tmp_path / "run.html"
    page, text = parse(path)
    assert len(page.images) == len(RUN_CHARTS) + 1  # and the cost chart
    assert "multiskill-day" in page.headings[0]
    wanted = [report.CHART_HEADINGS[n] for n in [*RUN_CHARTS, "cost_figure"]]
    wanted += ["Scenario", "KPI summary", "By contact type", "By agent group", "Costs"]
    wanted += ["IVR", "Shift plan", "Interval by interval"]
    assert set(wanted) <= set(page.headings)
    for word in ["fast", str(day.seed), "service_team", "fraud", "08:00–18:00", "EUR"]:
        assert word in text, word
    assert "on the calls that reach agents (after IVR self-service" in text  # Erlang A


def test_run_report_without_costs_has_no_cost_chart(helpdesk, tmp_path: Path) -> None:
    page, text = parse(report.run_report(helpdesk, str(tmp_path / "helpdesk.html")))
    assert len(page.images) == len(RUN_CHARTS)
    assert report.CHART_HEADINGS["cost_figure"] not in page.headings
    assert "Costs" not in page.headings and "small-helpdesk" in text


def test_compare_report_is_one_offline_html_file(comparison, tmp_path: Path) -> None:
    page, text = parse(report.compare_report(comparison, tmp_path / "compare.html"))
    assert len(page.images) == len(report.FOREST_KPIS)
    forest = report.CHART_HEADINGS["forest_figure"]
    assert forest in page.headings
    assert sum(h.startswith(f"{forest}: ") for h in page.headings) == len(report.FOREST_KPIS)
    assert {"Base scenario", "Differences to the base", "Cost and benefit"} <= set(page.headings)
    assert "multiskill-day" in page.headings[0]
    for option in comparison.options:
        assert f'<td class="l">{option}</td>' in text
    assert "yes *" in text and "Payback (months)" in text and "NPV" in text


def test_every_text_is_escaped(tmp_path: Path) -> None:
    spec = stationary(agents=3, load=2.0, patience=120.0, hours=1.0, warmup_hours=0.0)
    spec["name"] = "<b>night & day</b>"
    spec["description"] = "<script>alert(1)</script>"
    result = ccsim.simulate(scenario_from_dict(spec), replications=2, engine="fast")
    page, text = parse(report.run_report(result, tmp_path / "escaped.html"))
    assert "<script>" not in text and "<b>" not in text
    assert "&lt;b&gt;night &amp; day&lt;/b&gt;" in text
    assert page.headings[0].endswith("<b>night & day</b>")


def section_text(text: str, heading: str) -> str:
    """The HTML of one section of a report, from its heading to the next section."""
    start = text.index(f"<h2>{heading}</h2>")
    return text[start : text.index("</section>", start)]


def test_run_report_shows_the_ivr_per_type(day, tmp_path: Path) -> None:
    from ccsim.results.kpis import TYPE_FIELDS

    _, text = parse(report.run_report(day, tmp_path / "run.html"))
    ivr = section_text(text, "IVR")
    assert "60 ports" in ivr and "lognormal, mean 40s" in ivr
    acc = day.type_acc.sum(axis=2)
    arrived, deflected = (acc[..., TYPE_FIELDS.index(f)] for f in ("arrived", "deflected"))
    share = (deflected / arrived).mean(axis=0)  # per type, mean across replications
    for i, name in enumerate(day.plan.type_names):
        row = ivr[ivr.index(f'<td class="l">{name}</td>') :].split("</tr>")[0]
        set_share = day.scenario.ivr.probability("deflection", name)
        assert f"{100 * share[i]:.1f} % [" in row, (name, row)
        assert f"<td>{100 * set_share:.1f} %</td>" in row
    # the service queue is set to 15 % self-service: the IVR does about that
    assert share[day.plan.type_names.index("service")] == pytest.approx(0.15, abs=0.02)


def test_a_run_too_large_to_keep_its_counters_still_gets_its_report(
    day, tmp_path: Path, monkeypatch
) -> None:
    """A long run keeps day totals and interval moments, not every counter: the report
    must need no more (``ccsim run -r 20000 --report`` failed after the run)."""
    import ccsim.results.tables as tables

    monkeypatch.setattr(tables, "KEEP_COUNTERS_BYTES", 0)
    big = ccsim.simulate(day.scenario, replications=5, engine="fast")
    with pytest.raises(AttributeError):
        big.type_acc  # noqa: B018 - not kept
    _, text = parse(report.run_report(big, tmp_path / "big.html"))
    _, kept = parse(report.run_report(day, tmp_path / "kept.html"))
    assert section_text(text, "IVR") == section_text(kept, "IVR")


def test_run_report_shows_the_shift_plan(day, tmp_path: Path) -> None:
    _, text = parse(report.run_report(day, tmp_path / "run.html"))
    plan = section_text(text, "Shift plan")
    early = '<td class="l">service_team</td><td>08:00</td><td>16:30</td><td>16</td>'
    assert early in plan
    assert "<td>09:30</td><td>18:00</td><td>14</td>" in plan
    # breaks 2h, [3h30min, 5h] and 6h30min after 08:00
    assert "10:00 (15min); 30min, starts staggered 11:30–13:00; 14:30 (15min)" in plan
    assert "sales_team, fraud_desk" in plan  # staffed per interval, not by shifts


def test_run_report_has_a_folded_table_per_type_by_interval(day, tmp_path: Path) -> None:
    _, text = parse(report.run_report(day, tmp_path / "run.html"))
    part = section_text(text, "Interval by interval")
    folds = part.split("<details>")[1:]
    assert len(folds) == day.plan.n_types + 1  # each type and the centre
    labels = day.interval_labels()
    frame = day.by_interval
    for fold, name in zip(folds, [*day.plan.type_names, "ALL"], strict=True):
        assert fold.count("<tr>") == 1 + len(labels)  # a header and one row per interval
        first = frame[(frame["type"] == name) & (frame["interval"] == 0)].set_index("kpi")
        assert f"<td>{first.loc['offered', 'mean']:,.1f}</td>" in fold
    sales = folds[0]
    assert sales.startswith("<summary>sales: target 80 % within 20s</summary>")
    rows = frame[(frame["type"] == "sales") & (frame["kpi"] == "service_level")]
    missed = int((rows["mean"] < 0.8).sum())
    assert sales.count('class="miss"') == missed  # below target in red


def test_run_report_leaves_out_what_the_scenario_does_not_have(helpdesk, tmp_path) -> None:
    page, _ = parse(report.run_report(helpdesk, tmp_path / "helpdesk.html"))
    assert "IVR" not in page.headings and "Shift plan" not in page.headings
    assert "Interval by interval" in page.headings


def test_compare_report_says_what_each_option_changes(comparison, tmp_path: Path) -> None:
    _, text = parse(report.compare_report(comparison, tmp_path / "compare.html"))
    options = section_text(text, "Options")
    for name in comparison.options:
        assert f'<td class="l">{name}</td>' in options
        for path in comparison.changes[name]:
            assert f"<code>{path}</code>" in options
    assert "Natural-language IVR with card and balance self-service" in options
    assert "<code>ivr.deflection.service</code>: 0.25<" in options
    assert "<code>agent_groups.service_sales</code>: {skills: [service, sales]" in options
    assert '<span class="nw">one-off 40,000</span><br><span class="nw">monthly 2,000' in options


def test_compare_report_business_case(comparison, tmp_path: Path) -> None:
    _, text = parse(report.compare_report(comparison, tmp_path / "compare.html"))
    finance = comparison.finance().set_index("option")
    case = section_text(text, "Cost and benefit")
    for name, row in finance.iterrows():
        cells_ = case[case.index(f'<td class="l">{name}</td>') :].split("</tr>")[0]
        if row["material_investment"]:
            assert f"<td>{100 * row['roi']:,.0f} %</td>" in cells_
        else:  # no ROI on next to no investment
            assert "%" not in cells_
    costly = finance[finance["net_cost_per_year"] > 0]
    if len(costly):
        buys = section_text(text, "What the money buys")
        for name, row in costly.iterrows():
            assert f'<td class="l">{name}</td><td>{row["net_cost_per_year"]:,.0f}</td>' in buys
    else:
        assert "What the money buys" not in text


def test_compare_report_marks_a_mix_effect(tmp_path: Path) -> None:
    mixed = ccsim.compare(mix_options(tmp_path), replications=10, seed=3)
    _, text = parse(report.compare_report(mixed, tmp_path / "mix.html"))
    differences = section_text(text, "Differences to the base")
    head = differences.split("<details>")[0]  # the centre-wide table
    flagged = [
        (option, kpi)
        for option in mixed.options
        for kpi in mixed.kpis
        if (split := mixed.mix(option, kpi)) is not None and split.mix_effect
    ]
    assert ("status-self-service", "service_level") in flagged
    assert head.count("mix effect †") == len(flagged)
    assert "billing-plus-one" in head and "The IVR answers half of the status calls" in text
