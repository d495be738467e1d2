"""Reading ACD logs: the generic layout, column mappings, named formats, bad input.

Bad input is never dropped silently: a structural problem (a missing or unmapped
column) is an error naming the column; a bad row is excluded and counted with its
reason and row number, or with ``strict=True`` an error naming the row and column.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from ccsim.data import LogError, read_log
from ccsim.data.intervals import compare_with_log, read_intervals
from ccsim.data.records import records_to_log

HEADER = "arrival,type,outcome,queue_entry,answer,talk_end,agent"
GOOD_ROWS = [
    "2024-03-04 09:00:00,sales,answered,2024-03-04 09:00:10,2024-03-04 09:00:40,2024-03-04 09:04:40,ann",
    "2024-03-04 09:01:00,sales,abandoned,2024-03-04 09:01:05,,,",
    "2024-03-04 09:02:00,service,answered,2024-03-04 09:02:05,2024-03-04 09:02:05,2024-03-04 09:05:05,bob",
]


def write(tmp_path, lines, name="log.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def item(log, name):
    rep = log.report.set_index("item")
    return rep.loc[name] if name in rep.index else None


def test_the_generic_layout_gives_the_tidy_frame(tmp_path) -> None:
    log = read_log(write(tmp_path, [HEADER, *GOOD_ROWS]), max_bad=0.5)
    c = log.calls
    # the abandoned call has no queue_exit, so no wait: excluded with its reason and row
    bad = item(log, "abandoned, no queue exit")
    assert bad["count"] == 1 and bad["rows"] == [3] and bad["action"] == "excluded"
    assert list(c["outcome"]) == ["answered", "answered"]
    assert list(c["wait"]) == [30.0, 0.0] and list(c["talk"]) == [240.0, 180.0]
    assert list(c["agent"]) == ["ann", "bob"]
    assert c["offered"].all() and list(c["waited"]) == [True, False]


def test_abandoned_calls_take_their_wait_from_queue_exit(tmp_path) -> None:
    lines = [HEADER + ",queue_exit",
             GOOD_ROWS[0] + ",2024-03-04 09:00:40",
             "2024-03-04 09:01:00,sales,abandoned,2024-03-04 09:01:05,,,,2024-03-04 09:02:15"]  # fmt: skip
    c = read_log(write(tmp_path, lines)).calls
    assert c.loc[c["outcome"] == "abandoned", "wait"].item() == 70.0


def test_a_missing_column_names_it_and_the_columns_the_file_has(tmp_path) -> None:
    path = write(tmp_path, ["arrivl,type,outcome", "2024-03-04 09:00:00,sales,answered"])
    with pytest.raises(LogError, match=r"missing column 'arrival'.*did you mean 'arrivl'"):
        read_log(path)


def test_a_mapping_renames_columns_and_outcomes(tmp_path) -> None:
    lines = ["Start;Queue;Result;Picked;Hangup;Agent",
             "04/03/2024 09:00:00;Sales;ANS;04/03/2024 09:00:20;04/03/2024 09:03:20;ann",
             "04/03/2024 09:01:00;Sales;ABN;;;"]  # fmt: skip
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        textwrap.dedent("""\
        columns: {arrival: Start, type: Queue, outcome: Result, answer: Picked,
                  talk_end: Hangup, agent: Agent}
        outcomes: {ANS: answered, ABN: ivr_abandoned}
        time_format: "%d/%m/%Y %H:%M:%S"
    """)
    )
    log = read_log(write(tmp_path, lines), mapping=mapping)
    assert list(log.calls["outcome"]) == ["answered", "ivr_abandoned"]
    assert log.calls["talk"].iloc[0] == 180.0
    assert log.calls["wait"].iloc[0] == 20.0  # asked at arrival (no IVR, no queue entry given)


def test_a_mapping_to_a_column_the_file_lacks_is_an_error(tmp_path) -> None:
    path = write(tmp_path, [HEADER, GOOD_ROWS[0]])
    with pytest.raises(LogError, match=r"'arrival' is column 'Start'.*does not have"):
        read_log(path, mapping={"columns": {"arrival": "Start"}})
    with pytest.raises(LogError, match=r"names 'arival'.*did you mean 'arrival'"):
        read_log(path, mapping={"columns": {"arival": "arrival"}})
    with pytest.raises(LogError, match="maps to 'lost'"):
        read_log(path, mapping={"outcomes": {"X": "lost"}})


def test_an_unparsable_time_is_excluded_with_its_row_or_an_error_in_strict_mode(tmp_path) -> None:
    rows = [GOOD_ROWS[0], GOOD_ROWS[2].replace("2024-03-04 09:05:05", "09h05")] + [
        GOOD_ROWS[0]
    ] * 40
    path = write(tmp_path, [HEADER, *rows])
    log = read_log(path)
    bad = item(log, "bad time (talk_end)")
    assert bad["count"] == 1 and bad["rows"] == [3] and bad["action"] == "excluded"
    assert "talk_end" in bad["reason"] and len(log.calls) == 41
    with pytest.raises(LogError, match=r"row 3, column 'talk_end': unparsable time"):
        read_log(path, strict=True)


def test_negative_durations_and_unknown_outcomes_are_excluded_with_a_reason(tmp_path) -> None:
    backwards = GOOD_ROWS[0].replace("09:04:40", "08:59:00")  # talk ends before the answer
    rows = [GOOD_ROWS[0]] * 40 + [backwards, GOOD_ROWS[2].replace("answered", "transferred")]
    log = read_log(write(tmp_path, [HEADER, *rows]))
    neg, unk = item(log, "negative talk"), item(log, "unknown outcome")
    assert neg["count"] == 1 and neg["rows"] == [42]
    assert unk["count"] == 1 and "transferred" in unk["reason"]
    assert log.excluded() == 2 and len(log.calls) == 40


def test_a_misread_log_stops_instead_of_dropping_most_rows(tmp_path) -> None:
    rows = [GOOD_ROWS[0].replace("2024-03-04 09:00:40", "soon")] * 5 + [GOOD_ROWS[0]] * 5
    with pytest.raises(LogError, match=r"5 of 10 rows \(50%\) are not readable"):
        read_log(write(tmp_path, [HEADER, *rows]))


def test_rows_out_of_order_are_sorted_and_counted(tmp_path) -> None:
    log = read_log(write(tmp_path, [HEADER, GOOD_ROWS[2], GOOD_ROWS[0]]))
    assert log.calls["arrival"].is_monotonic_increasing
    assert item(log, "rows out of arrival order")["count"] == 1


def test_clock_times_with_a_date_column_cross_midnight(tmp_path) -> None:
    lines = ["date,arrival,type,outcome,queue_entry,answer,talk_end",
             "2024-03-04,23:58:00,sales,answered,23:58:30,23:59:30,00:03:30",
             "2024-03-04,10:00:00,sales,answered,10:00:00,10:00:05,10:02:05"]  # fmt: skip
    log = read_log(write(tmp_path, lines))
    late = log.calls.iloc[-1]
    assert late["talk"] == 240.0 and late["talk_end"] == pd.Timestamp("2024-03-05 00:03:30")
    assert item(log, "midnight crossing")["count"] == 1


def test_an_unknown_format_and_a_missing_file_are_errors(tmp_path) -> None:
    with pytest.raises(LogError, match="no such file"):
        read_log(tmp_path / "nope.csv")
    with pytest.raises(LogError, match="unknown log format 'avaya'"):
        read_log(write(tmp_path, [HEADER, GOOD_ROWS[0]]), "avaya")


TECHNION = [
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start"
    "\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver",
    "AA0101\t1\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55"
    "\t7:05:41\t166\tDORIT",
    "AA0101\t2\t0\t0\tPS\t990201\t7:31:45\t7:31:55\t10\t0:00:00\t0:00:00\t0\tAGENT\t7:31:54"
    "\t7:31:59\t5\tNO_SERVER",
    "AA0101\t3\t23317894\t2\tPS\t990201\t8:09:16\t8:09:22\t6\t8:09:22\t8:09:27\t5\tHANG"
    "\t0:00:00\t0:00:00\t0\tNO_SERVER",
    "AA0101\t4\t23317895\t2\tNW\t990201\t8:10:00\t8:10:06\t6\t8:10:06\t8:11:00\t54\tPHANTOM"
    "\t0:00:00\t0:00:00\t0\tNO_SERVER",
    "AA0101\t5\t0\t0\tNW\t990201\t9:00:00\t9:00:09\t9\t0:00:00\t0:00:00\t0\tHANG\t0:00:00"
    "\t0:00:00\t0\tNO_SERVER",
    "AA0101\t6\t23317896\t1\tPS\t990201\t23:59:40\t23:59:50\t10\t23:59:50\t0:00:20\t30\tAGENT"
    "\t0:00:20\t0:02:20\t120\tTOVA",
    "AA0101\t7\t0\t0\tPS\t990201\t25:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55"
    "\t7:05:41\t166\tDORIT",
]


def test_the_technion_format_follows_its_documented_rules(tmp_path) -> None:
    path = write(tmp_path, TECHNION, "log.txt")
    log = read_log(path, "technion", max_bad=0.5)
    c = log.calls.set_index(log.calls["row"])
    assert item(log, "PHANTOM")["rows"] == [5]
    assert item(log, "AGENT with NO_SERVER")["rows"] == [3]
    assert item(log, "bad time (vru_entry)")["rows"] == [8]
    assert list(c["outcome"]) == ["answered", "abandoned", "ivr_abandoned", "answered"]
    assert c.loc[2, "wait"] == 0.0 and c.loc[2, "talk"] == 166.0  # answered from the IVR
    assert c.loc[4, "wait"] == 5.0 and np.isnan(c.loc[4, "talk"])
    assert c.loc[7, "talk_end"] == pd.Timestamp("1999-02-02 00:02:20")  # after midnight
    assert item(log, "midnight crossing")["count"] == 1
    with pytest.raises(LogError, match="row 8, column 'vru_entry'"):
        read_log(path, "technion", strict=True)


def test_a_file_that_is_not_technion_says_which_fields_are_missing(tmp_path) -> None:
    with pytest.raises(LogError, match="not a Technion log: missing field"):
        read_log(write(tmp_path, [HEADER, GOOD_ROWS[0]]), "technion")


def test_ccsim_records_read_back_as_a_log() -> None:
    records = pd.DataFrame({
        "replication": [0, 0, 1], "type": ["a", "a", "b"], "arrival": [10.0, 20.0, 5.0],
        "fate": ["answered", "abandoned", "unserved"], "queued": [12.0, 21.0, 6.0],
        "answered": [15.0, np.nan, np.nan], "left": [75.0, 50.0, np.nan],
        "freed": [80.0, np.nan, np.nan], "wait": [3.0, 29.0, np.nan],
    })  # fmt: skip
    log = records_to_log(records, start="08:00", first_day="2000-01-03")
    c = log.calls
    assert list(c["outcome"]) == ["answered", "abandoned"]
    assert c["arrival"].iloc[0] == pd.Timestamp("2000-01-03 08:00:10")
    assert list(c["talk"].iloc[:1]) == [60.0] and list(c["wrap"].iloc[:1]) == [5.0]
    assert list(c["ivr_time"]) == [2.0, 1.0] and list(c["wait"]) == [3.0, 29.0]
    assert item(log, "unserved")["count"] == 1


def test_interval_reports_give_agents_and_name_bad_rows(tmp_path) -> None:
    path = write(tmp_path, ["start,agents", "2024-03-04 09:00,4", "2024-03-04 10:00,6"], "ir.csv")
    report = read_intervals(path)
    assert report.interval == 3600.0
    agents = report.agents([pd.Timestamp("2024-03-04")], 1800.0)
    assert list(agents[0, 18:22]) == [4.0, 4.0, 6.0, 6.0]
    bad = write(tmp_path, ["start,agents", "2024-03-04 09:00,four"], "bad.csv")
    with pytest.raises(LogError, match=r"row 2, column 'agents': 'four'"):
        read_intervals(bad)
    clash = write(tmp_path, ["start,agents,type", "2024-03-04 09:00,4,a", "2024-03-04 09:00,5,b"],
                  "clash.csv")  # fmt: skip
    with pytest.raises(LogError, match="different agent counts"):
        read_intervals(clash)
    with pytest.raises(LogError, match="missing column 'agents'"):
        read_intervals(write(tmp_path, ["start,staff", "2024-03-04 09:00,4"], "miss.csv"))


def test_an_interval_report_is_compared_with_the_log(tmp_path) -> None:
    log = read_log(write(tmp_path, [HEADER, GOOD_ROWS[0], GOOD_ROWS[2]]))
    path = write(tmp_path, ["start,agents,offered,answered", "2024-03-04 09:00,2,3,2"], "ir.csv")
    table = compare_with_log(read_intervals(path), log.calls)
    row = table.iloc[0]
    assert (row["offered_report"], row["offered_log"]) == (3, 2)
    assert (row["answered_report"], row["answered_log"]) == (2, 2)
