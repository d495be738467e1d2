"""The what-if tables in a terminal: widths, headers, marks and the business case."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from ccsim.cli.app import app
from ccsim.cli.whatif import MIX_MARK, MIX_NOTE, sweep_table
from tests.helpers import SCENARIOS, mix_options

runner = CliRunner()
PATHS = ("agent_groups.team.staffing", "contact_types.support.handle_time.mean")


def sweep_frame(cost: float = 25_019.0) -> pd.DataFrame:
    """A sweep's result table as :func:`ccsim.sweep` returns it: 10 points, with costs."""
    rows = []
    for i, (staff, handle) in enumerate(
        (s, h) for s in "-1 +0 +1 +2 +3".split() for h in "*1.0 *0.9".split()
    ):
        row = {"point": i, PATHS[0]: staff, PATHS[1]: handle}
        for kpi, mean, half in (("service_level", 0.777 + i / 100, 0.024),
                                ("abandon_rate", 0.071 - i / 200, 0.009),
                                ("asa_s", 10.5 - i, 1.5), ("occupancy", 0.766 - i / 100, 0.012),
                                ("cost_per_day", cost + 250 * i, 640.0)):  # fmt: skip
            row.update({kpi: mean, f"{kpi}_ci95_low": mean - half, f"{kpi}_ci95_high": mean + half})
        rows.append(row)
    return pd.DataFrame(rows)


def render(width: int, frame: pd.DataFrame) -> list[str]:
    table, legend = sweep_table(frame, "small-helpdesk: 10 points, 200 replications each", width)
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(table)
    console.print(legend)
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [80, 100, 160])
def test_the_sweep_table_fits_its_width_and_cuts_nothing(width: int) -> None:
    frame = sweep_frame()
    lines = render(width, frame)
    text = "\n".join(lines)
    assert max(map(len, lines)) <= width
    assert "…" not in text  # no header or value cut short
    for r in frame.itertuples():  # every cost whole, with its half-width
        assert f"{r.cost_per_day:,.0f}" in text
    assert "± 640" in text
    assert "team." in text and "staffing" in text and "handle_time." in text
    assert f"team.staffing = {PATHS[0]}" in text.replace("\n", " ")
    (first,) = [line for line in lines if "77.7 %" in line]
    assert ("± 2.4" in first) is (width >= 160)  # the CI under the value when narrow


def test_short_path_names_tell_the_paths_apart() -> None:
    frame = sweep_frame().rename(columns={PATHS[1]: "agent_groups.sales.staffing"})
    text = "\n".join(render(160, frame))
    assert "team.staffing" in text and "sales.staffing" in text


def costed_helpdesk(folder) -> str:
    spec = yaml.safe_load((SCENARIOS / "small-helpdesk.yaml").read_text())
    spec["costs"] = {"agents": {"hourly_wage": 24}, "abandoned_contact": 6}
    (folder / "helpdesk.yaml").write_text(yaml.safe_dump(spec))
    sweep = {"base": "helpdesk.yaml", "grid": {PATHS[0]: ["+0", "+1"], PATHS[1]: ["*1.0", "*0.9"]}}
    (folder / "s.sweep.yaml").write_text(yaml.safe_dump(sweep))
    return str(folder / "s.sweep.yaml")


def test_the_sweep_command_in_a_pipe(tmp_path) -> None:
    result = runner.invoke(app, ["sweep", costed_helpdesk(tmp_path), "-r", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 160 and "…" not in result.stdout
    header = next(line for line in lines if "team.staffing" in line)
    assert "handle_time.mean" in header and "cost / day" in header
    assert sum("│" in line and " ± " in line for line in lines) == 4  # one line per point


OPTIONS = """\
base: {base}
options:
  - name: ivr-tweak          # 50 once; every sales call to an agent: costs money every year
    changes:
      ivr.deflection.sales: 0.0
    costs: {{one_off: 50}}
  - name: ivr-upgrade
    changes:
      ivr.deflection.service: 0.25
    costs: {{one_off: 40000, monthly: 2000}}
"""


def test_compare_shows_no_roi_for_next_to_no_investment(tmp_path) -> None:
    path = tmp_path / "cheap.options.yaml"
    path.write_text(OPTIONS.format(base=SCENARIOS / "multiskill-day.yaml"))
    data = json.loads(runner.invoke(app, ["compare", str(path), "-r", "5", "--json"]).stdout)
    tweak, upgrade = (data["options"][n]["finance"] for n in ("ivr-tweak", "ivr-upgrade"))
    assert tweak["roi"] is None and not tweak["material_investment"]
    assert upgrade["material_investment"] and upgrade["roi"] > 0
    out = runner.invoke(app, ["compare", str(path), "-r", "5"]).stdout
    row = next(line for line in out.splitlines() if line.startswith("│ ivr-tweak") and "[" in line)
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert cells[5:7] == ["-", "-"]  # payback and ROI: not meaningful
    assert f"{100 * upgrade['roi']:,.0f} %" in out
    assert "what the options that cost money buy" in out
    assert f"{tweak['net_cost_per_year']:,.0f}" in out


def test_compare_marks_a_mix_effect(tmp_path) -> None:
    result = runner.invoke(app, ["compare", str(mix_options(tmp_path)), "-r", "10"])
    assert result.exit_code == 0, result.output
    sl = next(line for line in result.stdout.splitlines() if line.startswith("│ service_level"))
    assert f"*{MIX_MARK}" in sl
    assert f"{MIX_MARK} {MIX_NOTE}" in " ".join(result.stdout.split())
