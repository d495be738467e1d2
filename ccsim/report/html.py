"""One-file HTML reports of a simulated day or of an options comparison.

:func:`run_report` and :func:`compare_report` write one self-contained HTML file (the
charts of :mod:`ccsim.report.charts` embedded as PNG, inline CSS, nothing fetched) that
opens offline and can be forwarded as is. A run report: the scenario, KPIs with their
confidence intervals, the IVR and the shift plan (:mod:`ccsim.report.sections`), the
charts, tables per type and group, each type's day interval by interval, the costs. A
comparison report: the base, what each option is and changes, the paired differences
(with the within-type part and mix effects), forest plots and the business case.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ccsim.report.charts import (
    CHART_HEADINGS,
    FOREST_KPIS,
    cost_figure,
    forest_figure,
    occupancy_figure,
    offered_figure,
    service_level_figure,
    staffing_figure,
    waits_figure,
)
from ccsim.report.labels import kpi_label
from ccsim.report.markup import (
    Raw,
    cells,
    chart,
    escape,
    money,
    page,
    section,
    table,
    value,
    with_ci,
)
from ccsim.report.sections import intervals_section, ivr_section, shifts_section, waits_section
from ccsim.results.tables import ALL, SimulationResult
from ccsim.scenario.units import format_duration, parse_clock

if TYPE_CHECKING:
    from ccsim.whatif.comparison import Comparison

__all__ = ["compare_report", "run_report"]

# fmt: off
_RUN_KPIS = ("offered answered abandoned blocked deflected ivr_abandoned unserved service_level "
             "service_level_answered p_wait abandon_rate block_rate asa_s mean_wait_s aht_s "
             "mean_queue occupancy").split()
_TYPE_KPIS = ("offered answered abandoned service_level abandon_rate asa_s mean_wait_s aht_s "
              "mean_queue").split()
_GROUP_KPIS = ("occupancy", "staffed_hours", "busy_hours", "handled")
_FINANCE = ("option saving_per_day saving_ci95 saving_per_year investment recurring_per_year "
            "net_benefit_per_year payback_months roi npv").split()  # Comparison.finance()
_FINANCE_HEADINGS = ("Option|Saving per day|95 % CI|Saving per year|Investment|Recurring per "
                     "year|Net benefit per year|Payback (months)|ROI (3 years)|NPV (3 years, 8 %)"
                     ).split("|")
_BUYS = ("option", "net_cost_per_year", "cost_per_sl_point", "cost_per_abandon_avoided")
_BUYS_HEADINGS = ("Option", "Net cost per year", "Per point of service level, per year",
                  "Per abandoned contact avoided")
# fmt: on
#: Mark of a mix effect in the comparison report, as in the ``ccsim compare`` table.
MIX_MARK = "†"


def _scenario_section(result: SimulationResult, heading: str = "Scenario") -> str:
    s, plan = result.scenario, result.plan
    end = int(round(parse_clock(s.horizon.start) + plan.n_intervals * plan.interval)) % 86400
    sl = [
        f"{t.name} (target {t.service_level.target:.0%} within "
        f"{format_duration(t.service_level.threshold)})"
        for t in s.contact_types
    ]
    groups = [f"{g.name} (skills: {', '.join(g.skills)})" for g in s.agent_groups]
    horizon = (
        f"{s.horizon.start}–{end // 3600:02d}:{end % 3600 // 60:02d}: "
        f"{plan.n_intervals} intervals of {format_duration(plan.interval)}, "
        f"warm-up {format_duration(float(s.horizon.warmup))}"
    )
    # fmt: off
    rows = [
        ("Scenario", s.name), ("Description", s.description.strip() or "–"),
        ("Horizon", horizon), ("Contact types", "; ".join(sl)),
        ("Agent groups", "; ".join(groups)), ("Replications", result.replications),
        ("Seed", result.seed), ("Engine", result.engine),
        ("Contacts simulated", f"{result.contacts_simulated:,}"),
        ("Warnings", "; ".join(result.warnings) or "none"),
    ]
    # fmt: on
    return section(heading, table(None, rows, left=2))


def run_report(result: SimulationResult, path: str | Path) -> Path:
    """Write a self-contained HTML report of one simulated day.

    Parameters
    ----------
    result : SimulationResult
        From :func:`ccsim.simulate`.
    path : str or pathlib.Path
        The HTML file to write (its folder must exist).

    Returns
    -------
    pathlib.Path
        ``path``. The page holds the scenario summary, the centre-wide KPIs with 95 %
        intervals, the IVR (deflection and hang-ups per type; when the scenario has one),
        the shift plan (when groups work shifts), the charts of
        :mod:`ccsim.report.charts` (the cost chart and table only when the scenario has a
        ``costs:`` section), tables per contact type and agent group, and each type's
        day interval by interval (folded).
    """
    from ccsim.whatif.costs import cost_table

    s = result.scenario
    kpis = [k for k in _RUN_KPIS if k in set(result.summary["kpi"])]
    summary = list(zip(map(kpi_label, kpis), cells(result.summary, kpis), strict=True))
    note = "Whole centre over all counted intervals, mean across replications."
    parts = [
        _scenario_section(result),
        section("KPI summary", table(("KPI", "Mean [95 % CI]"), summary), note),
        ivr_section(result),
        shifts_section(result),
    ]
    charts = {  # chart function: caption
        service_level_figure: "Dashed: each type's target. Bands: 95 % confidence intervals.",
        waits_figure: "Mean wait of answered contacts; abandoned / offered; by arrival interval.",
        staffing_figure: "Bars: agents on seat (breaks excluded). Dashed: Erlang A for each "
        "type's target on the calls that reach agents (after IVR self-service and IVR "
        "hang-ups), on the type's first group.",
        occupancy_figure: "Busy time (talk and wrap-up) over staffed time.",
        offered_figure: "The load over the day by arrival interval (and the mean queue).",
    }
    if s.costs is not None:
        charts[cost_figure] = f"Mean cost per day in {s.costs.currency}; 95 % CIs."
    for figure, caption in charts.items():
        parts.append(chart(CHART_HEADINGS[figure.__name__], figure(result), caption))
    for what, frame, names, wanted in (
        ("Contact type", result.by_type, result.plan.type_names, _TYPE_KPIS),
        ("Agent group", result.by_group, result.plan.group_names, _GROUP_KPIS),
    ):
        column, shown = frame.columns[0], [k for k in wanted if k in set(frame["kpi"])]
        rows = [(n, *cells(frame[frame[column] == n], shown, below=True)) for n in names]
        body = table((what, *map(kpi_label, shown)), rows)
        parts.append(section(f"By {what.lower()}", body, "Mean [95 % CI]."))
    parts.append(waits_section(result))
    parts.append(intervals_section(result))
    if s.costs is not None:
        cur = s.costs.currency
        costs = cost_table(result)
        costs["ci95"] = list(zip(costs.pop("ci95_low"), costs.pop("ci95_high"), strict=True))
        costs["component"] = costs["component"].str.replace("_", " ")
        rows = costs[["component", "per_day", "ci95", "per_year"]].map(money).to_numpy()
        body = table(("Component", f"Per day ({cur})", "95 % CI", f"Per year ({cur})"), rows)
        note = f"{s.costs.working_days_per_year:g} working days per year."
        parts.append(section("Costs", body, note))
    path = Path(path)
    path.write_text(page(f"ccsim run report: {s.name}", parts), encoding="utf-8")
    return path


def _flow(x: Any) -> str:
    """A change's value as one line of YAML (``+2``, ``[5, 6]``, ``{skills: [a, b]}``)."""
    if not isinstance(x, (dict, list)):
        return str(x) if x is not None else "null (back to the default; removed)"
    return yaml.safe_dump(x, default_flow_style=True, width=10_000, sort_keys=False).strip()


def _options_section(comparison: Comparison) -> str:
    """What each option is and what it changes, as the options file says."""
    rows = []
    for name in comparison.options:
        changes = comparison.changes.get(name, {})
        lines = [f"<code>{escape(path)}</code>: {escape(_flow(x))}" for path, x in changes.items()]
        costs = comparison.costs.get(name, {})
        spend = [
            f"{label} {money(costs[key])}"
            for key, label in (("one_off", "one-off"), ("per_new_agent", "per new agent"),
                               ("monthly", "monthly"), ("per_seat_monthly", "per seat monthly"))
            if costs.get(key)
        ]  # fmt: skip
        rows.append(
            [
                name,
                comparison.descriptions.get(name) or "–",
                Raw("<br>".join(lines) or "–"),
                Raw("<br>".join(f'<span class="nw">{escape(x)}</span>' for x in spend) or "–"),
            ]
        )
    note = "As written in the options file: each change is a dotted path into the base scenario."
    headers = ("Option", "Description", "Changes", "Costs")
    return section("Options", table(headers, rows, left=4), note)


def _differences_section(comparison: Comparison) -> str:
    differences = comparison.table()
    headers = ["Option", "KPI", "Base", "Option's value", "Difference [95 % CI]", "Significant",
               "Narrowing", "Within types [95 % CI]"]  # fmt: skip

    def diff_rows(type_name: str) -> list[list[str]]:
        rows = []
        for r in differences[differences["type"] == type_name].to_dict("records"):
            k, ci = r["kpi"], (r["difference"], r["ci95_low"], r["ci95_high"])
            values = [value(k, r["base"]), value(k, r["value"]), with_ci(k, *ci, signed=True)]
            significant = "yes *" if r["significant"] else "no"
            if r["mix_effect"]:
                significant += f", mix effect {MIX_MARK}"
            narrowing = f"{r['narrowing']:.1f}×" if math.isfinite(r["narrowing"]) else "–"
            within = (r["within_types"], r["within_ci95_low"], r["within_ci95_high"])
            row = [r["option"], kpi_label(k), *values, significant, narrowing]
            if type_name == ALL:
                ok = math.isfinite(within[0])
                row.append(with_ci(k, *within, signed=True) if ok else "–")
            rows.append(row)
        return rows

    body = table(headers, diff_rows(ALL), left=2)
    for name in comparison.results["base"].plan.type_names:
        body += f"<details><summary>{escape(name)}</summary>\n"
        body += f"{table(headers[:-1], diff_rows(name), 2)}</details>\n"
    note = (
        "Option - base, paired on common random numbers (rates in percentage points, times in "
        "seconds). Significant: the 95 % interval excludes 0. Within types: the part of a "
        "centre-wide rate's change that comes from each type's own change (at its average "
        "share of the volume); the rest is the change of the mix. "
        f"{MIX_MARK} Mix effect: significant centre-wide but not within the types: the share "
        "of the types changed, not each type's service. Per type: unfold below."
    )
    return section("Differences to the base", body, note)


def _finance_sections(comparison: Comparison) -> list[str]:
    from ccsim.whatif.costs import MATERIALITY

    costs = comparison.results["base"].scenario.costs
    assert costs is not None
    finance = comparison.finance()
    records = finance.to_dict("records")
    for r in records:
        r["roi"] = f"{100 * r['roi']:,.0f} %" if math.isfinite(r["roi"]) else "–"
        payback = r["payback_months"]
        r["payback_months"] = f"{payback:,.1f}" if math.isfinite(payback) else money(payback)
    rows = [[money(r[c]) for c in _FINANCE] for r in records]
    note = (
        f"In {costs.currency}. Saving = base - option daily cost, paired; "
        f"{costs.working_days_per_year:g} working days a year. ROI only where the investment "
        f"is material (at least {100 * MATERIALITY:.0f} % of the yearly saving or recurring "
        "cost); otherwise the option is a running cost or saving, read its net benefit and "
        "NPV. Payback where an investment is recovered; never: a material investment that is "
        "not. –: not meaningful."
    )
    parts = [section("Cost and benefit", table(_FINANCE_HEADINGS, rows), note)]
    costly = [r for r in records if r["net_cost_per_year"] > 0]
    if costly:
        rows = [[money(r[c]) for c in _BUYS] for r in costly]
        note = (
            f"Options that cost money (in {costs.currency}): the net cost per year (the "
            "investment spread over 3 years, minus the net benefit) over the centre-wide "
            "service level gained (percentage points) or over the abandoned contacts avoided "
            "in a year, beyond their cost already counted. –: no significant gain."
        )
        parts.append(section("What the money buys", table(_BUYS_HEADINGS, rows), note))
    return parts


def _view_section(comparison: Comparison) -> str:
    """Which comparison this is: at equal staffing, or at equal service with the staffing."""
    if comparison.equal_service is None:
        return section(
            "View: equal staffing",
            "",
            "Each option runs with the staffing its scenario says: the differences show what "
            "the option changes in service; agent costs change only where staffing changes.",
        )
    from ccsim.results.confidence import mean_ci

    equal = comparison.equal_service
    rows = []
    for name in comparison.results:
        agents = mean_ci(equal.agent_hours(name))
        cost = mean_ci(equal.daily_cost[name])
        rows.append(
            (
                name,
                f"{agents[0]:,.1f} [{agents[1]:,.1f} – {agents[2]:,.1f}]",
                f"{cost[0]:,.0f} [{cost[1]:,.0f} – {cost[2]:,.0f}]",
                f"{sum(equal.met[name])} of {equal.batches}",
            )
        )
    ceiling = "" if equal.max_abandon is None else f" and at most {equal.max_abandon:.1%} abandoned"
    note = (
        "Every scenario was staffed to meet its service-level targets in every interval"
        f"{ceiling} before the comparison, in {equal.batches} independent staffing searches "
        "(mean and 95 % CI across them); the business case compares what each costs at that "
        "service, and its interval includes the searches' noise."
    )
    headers = ("Scenario", "Agent hours", "Daily cost", "Targets met")
    return section("View: equal service", table(headers, rows), note)


def compare_report(comparison: Comparison, path: str | Path) -> Path:
    """Write a self-contained HTML report of an options comparison.

    Parameters
    ----------
    comparison : Comparison
        From :func:`ccsim.compare`.
    path : str or pathlib.Path
        The HTML file to write (its folder must exist).

    Returns
    -------
    pathlib.Path
        ``path``. The page holds the base scenario's summary, what each option is and
        changes (its description, changes and costs from the options file), each
        option's KPIs, the paired differences to the base (centre-wide with the
        within-type part and mix effects marked, and per contact type in folded
        sections; significant ones marked), forest plots of :data:`FOREST_KPIS`, and
        the business case when the base scenario has a ``costs:`` section.
    """
    base = comparison.results["base"]
    kpis = [k for k in comparison.kpis if k in set(base.summary["kpi"])]
    means = [
        (kpi_label(k), *(cells(r.summary, [k], True)[0] for r in comparison.results.values()))
        for k in kpis
    ]
    note = "Whole centre; mean [95 % CI] across replications."
    parts = [
        _scenario_section(base, "Base scenario"),
        _view_section(comparison),
        _options_section(comparison),
        section("KPIs of each option", table(("KPI", *comparison.results), means), note),
        _differences_section(comparison),
    ]
    heading = CHART_HEADINGS["forest_figure"]
    caption = f"Filled: significant. Line at 0: no change. {MIX_MARK}: mix effect."
    forests = [
        chart(f"{heading}: {kpi_label(k)}", forest_figure(comparison, k), caption, level=3)
        for k in FOREST_KPIS
    ]
    parts.append(section(heading, "".join(forests)))
    if base.scenario.costs is not None:
        parts += _finance_sections(comparison)
    path = Path(path)
    path.write_text(page(f"ccsim options comparison: {base.scenario.name}", parts), "utf-8")
    return path
