"""Durations and clock times: ``parse_duration``, ``parse_clock``, ``format_duration``."""

from __future__ import annotations

import pytest

from ccsim.scenario.units import format_duration, parse_clock, parse_duration

# ----------------------------------------------------------------- parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("100ms", 0.1),
        ("20s", 20.0),
        ("20sec", 20.0),
        ("1second", 1.0),
        ("20seconds", 20.0),
        ("5m", 300.0),
        ("5min", 300.0),
        ("5mins", 300.0),
        ("1minute", 60.0),
        ("5minutes", 300.0),
        ("1.5h", 5400.0),
        ("2hr", 7200.0),
        ("1hour", 3600.0),
        ("2hours", 7200.0),
        ("1d", 86400.0),
        ("1day", 86400.0),
        ("2days", 172800.0),
        (".5h", 1800.0),
        ("1e3s", 1000.0),
        ("5MIN", 300.0),
        ("1.5H", 5400.0),
    ],
)
def test_parse_duration_units(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h30min", 5400.0),
        ("2min 30s", 150.0),
        ("2min30s", 150.0),
        ("1d2h3min4s", 86400.0 + 7200.0 + 180.0 + 4.0),
        ("1h 0.5min", 3630.0),
        ("5min30", 330.0),  # a trailing bare number is seconds
        ("1s500ms", 1.5),
    ],
)
def test_parse_duration_combinations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds, rel=1e-15)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(45, 45.0), (0, 0.0), (2.5, 2.5), ("45", 45.0), ("0", 0.0), ("2.5", 2.5)],
)
def test_parse_duration_bare_numbers_are_seconds(value: object, seconds: float) -> None:
    out = parse_duration(value)
    assert out == seconds
    assert isinstance(out, float)


@pytest.mark.parametrize("text", ["  20s", "20s  ", " 20 s ", "\t5 min\n", "1h  30min", " 45 "])
def test_parse_duration_ignores_whitespace(text: str) -> None:
    expected = {"20s": 20.0, "5min": 300.0, "1h30min": 5400.0, "45": 45.0}
    assert parse_duration(text) == expected["".join(text.split())]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "expected a duration such as '20s'"),
        ("   ", "expected a duration such as '20s'"),
        ("abc", "got 'abc'"),
        ("min", "got 'min'"),
        ("5.", "got '5.'"),
        ("5min and", "got '5min and'"),
        ("5min -3s", "got '5min -3s'"),
        ("nan", "got 'nan'"),
        ("5 parsecs", "unknown time unit 'parsecs'"),
        ("3w", "unknown time unit 'w' in '3w' (use ms, s, min, h, d)"),
        (None, "got None"),
        ([1, 2], "got [1, 2]"),
        ({"s": 1}, "expected a duration"),
    ],
)
def test_parse_duration_rejects_bad_input_helpfully(value: object, message: str) -> None:
    with pytest.raises(ValueError, match="expected a duration|unknown time unit") as info:
        parse_duration(value)
    assert message in str(info.value)


@pytest.mark.parametrize("value", ["-4min", " -4min", "-0.5h", "-20"])
def test_parse_duration_rejects_negative_text(value: str) -> None:
    with pytest.raises(ValueError, match="cannot be negative") as info:
        parse_duration(value)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("value", [-1, -0.001, float("nan")])
def test_parse_duration_rejects_negative_or_nan_numbers(value: float) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        parse_duration(value)


@pytest.mark.parametrize("value", [True, False])
def test_parse_duration_rejects_bool(value: bool) -> None:
    # bool is an int in Python; a planner writing "yes"/"true" made a mistake.
    with pytest.raises(ValueError, match="expected a duration such as '20s' or '5min'") as info:
        parse_duration(value)
    assert repr(value) in str(info.value)


def test_duration_docstring_examples() -> None:
    assert parse_duration("1.5h") == 5400.0
    assert parse_duration("2min 30s") == 150.0
    assert parse_duration(45) == 45.0


# -------------------------------------------------------------------- parse_clock
EIGHT = 8 * 3600.0


@pytest.mark.parametrize(
    ("text", "day_start", "seconds"),
    [
        ("09:30", EIGHT, 5400.0),
        ("08:00", EIGHT, 0.0),
        ("8:00", EIGHT, 0.0),
        ("08:30:15", EIGHT, 1815.0),
        ("16:00", EIGHT, 8 * 3600.0),
        ("09:30", 0.0, 9.5 * 3600.0),
        ("00:00", 0.0, 0.0),
        ("23:59:59", 0.0, 86399.0),
        ("24:00", 0.0, 86400.0),
        (" 09:30 ", EIGHT, 5400.0),
    ],
)
def test_parse_clock_is_relative_to_day_start(text: str, day_start: float, seconds: float) -> None:
    assert parse_clock(text, day_start=day_start) == seconds


def test_parse_clock_default_day_start_is_midnight() -> None:
    assert parse_clock("09:30") == 9.5 * 3600.0


@pytest.mark.parametrize("text", ["07:59", "00:00", "07:59:59"])
def test_parse_clock_before_day_start_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="before the start of the day") as info:
        parse_clock(text, day_start=EIGHT)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize("text", ["09:60", "09:30:60", "10:75"])
def test_parse_clock_rejects_impossible_times(text: str) -> None:
    with pytest.raises(ValueError, match="not a clock time"):
        parse_clock(text)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("90min", 5400.0),
        ("1h30min", 5400.0),
        (120, 120.0),
        (0, 0.0),
        ("45", 45.0),
        ("2.5h", 9000.0),
    ],
)
def test_parse_clock_durations_pass_through_unshifted(value: object, seconds: float) -> None:
    # An offset is measured from t = 0, whatever clock time t = 0 is.
    assert parse_clock(value, day_start=EIGHT) == seconds
    assert parse_clock(value) == seconds


@pytest.mark.parametrize("value", ["abc", "9:5", "-01:00", "-5min", True, None])
def test_parse_clock_rejects_non_clock_non_duration(value: object) -> None:
    with pytest.raises(ValueError):
        parse_clock(value, day_start=EIGHT)


def test_clock_docstring_examples() -> None:
    assert parse_clock("09:30", day_start=8 * 3600) == 5400.0
    assert parse_clock("90min") == 5400.0


# ---------------------------------------------------------------- format_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.5, "0.5s"),
        (20, "20s"),
        (59.5, "59.5s"),
        (60, "1min"),
        (90, "1min30s"),
        (150, "2min30s"),
        (3600, "1h"),
        (3660, "1h1min"),
        (3601, "1h1s"),
        (5400, "1h30min"),
        (86400, "24h"),
        (90061, "25h1min1s"),
        (5400.0, "1h30min"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    "seconds",
    [
        0,
        0.001,
        0.25,
        1,
        20,
        59.5,
        60,
        61,
        90.5,
        240,
        1799,
        1800,
        3599,
        3600,
        5400,
        7384,
        28800,
        86400,
        90061,
        604800,
    ],
)
def test_format_duration_round_trips(seconds: float) -> None:
    assert parse_duration(format_duration(seconds)) == pytest.approx(seconds, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("text", ["20s", "4min", "1h30min", "2h", "7h45min10s", "0.5s", "1min30s"])
def test_format_parse_round_trip_from_text(text: str) -> None:
    assert format_duration(parse_duration(text)) == text


# ------------------------------------------------------- what a scenario may hold
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("inf"), "a duration must be finite, got inf"),
        (10**400, "too large"),
        ("4:30", "'4:30' is a clock time, not a duration: write 4min30s or 4h30min"),
        ("x" * 500, "got 'xxxxxxxx"),
    ],
    ids=["inf", "huge-int", "clock-like", "long-text"],
)
def test_parse_duration_refuses_what_no_duration_is(value: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    assert message in str(info.value) and len(str(info.value)) < 200


def test_a_scenario_duration_is_at_most_a_year() -> None:
    from pydantic import TypeAdapter, ValidationError

    from ccsim.scenario.units import Duration

    adapter = TypeAdapter(Duration)
    assert adapter.validate_python("366d") == 366 * 86400.0
    with pytest.raises(ValidationError, match="is longer than a year: at most 366d"):
        adapter.validate_python("367d")


# ------------------------------------------------ volumes and shares, as planners write
def _types(arrivals: dict, **top: object):
    from ccsim.scenario.loader import scenario_from_dict

    return scenario_from_dict(
        {
            "name": "v",
            "horizon": {"intervals": 5, "interval": "30min"},
            "contact_types": [
                {
                    "name": "calls",
                    "arrivals": arrivals,
                    "handle_time": {"dist": "fixed", "mean": 60},
                }
            ],
            "agent_groups": [{"name": "g", "skills": ["calls"], "staffing": 5}],
            **top,
        }
    )


def test_a_volume_and_profile_give_the_rates_written_by_hand() -> None:
    from ccsim.plan import compile_plan

    # 1 200 calls a day over five half hours, shares 1:2:3:2:2 (of 10): 120, 240, 360,
    # 240, 240 calls in each half hour, so twice that an hour
    by_volume = compile_plan(_types({"volume": 1200, "profile": [1, 2, 3, 2, 2]}))
    by_hand = compile_plan(_types({"rate_per_hour": [240, 480, 720, 480, 480]}))
    assert by_volume.rate.tolist() == by_hand.rate.tolist()
    # percentages, counts and shares are the same profile; no profile spreads evenly
    for profile in (
        ["10%", "20%", "30%", "20%", "20%"],
        [0.1, 0.2, 0.3, 0.2, 0.2],
        [5, 10, 15, 10, 10],
    ):
        rate = compile_plan(_types({"volume": 1200, "profile": profile})).rate
        assert rate * 3600 == pytest.approx(by_hand.rate * 3600, rel=1e-15)
    flat = compile_plan(_types({"volume": 1000})).rate * 3600
    assert flat.tolist() == [[400.0] * 5]


def test_a_weekly_volume_splits_by_day_shares_and_day_volumes_multiply() -> None:
    from ccsim.plan import compile_plan

    days = [{"name": "Mon"}, {"name": "Tue", "volume": 2}, {"name": "Wed"}]
    weekly = compile_plan(
        _types(
            {"weekly_volume": 600, "day_shares": [3, 2, 1], "profile": [1, 1, 2, 0, 1]}, days=days
        )
    )
    by_hand = compile_plan(_types({"rate_per_hour": [120, 120, 240, 0, 120]}, days=days))
    # Mon 300 a day: 60, 60, 120, 0, 60 a half hour; Tue 200 x 2; Wed 100
    expected = [[120, 120, 240, 0, 120] * 1 + [160, 160, 320, 0, 160] + [40, 40, 80, 0, 40]]
    assert (weekly.rate * 3600).tolist() == expected
    assert (by_hand.rate * 3600).tolist()[0][:5] == expected[0][:5]
    even = compile_plan(_types({"weekly_volume": 600}, days=days)).rate * 3600
    assert even.tolist() == [[80.0] * 5 + [160.0] * 5 + [80.0] * 5]


@pytest.mark.parametrize(
    ("arrivals", "top", "message"),
    [
        ({}, {}, "arrivals: give one of rate_per_hour (contacts per hour, per interval), volume"),
        ({"rate_per_hour": 5, "volume": 100}, {}, "; not rate_per_hour and volume"),
        ({"rate_per_hour": 5, "profile": [1] * 5}, {}, "rate_per_hour takes none"),
        ({"volume": 100, "day_shares": [1]}, {}, "day_shares split a weekly_volume"),
        ({"volume": 100, "profile": [0, 0, 0, 0, 0]}, {}, "profile needs at least one share above 0"),
        ({"volume": 100, "profile": [1, 2]}, {}, "arrivals.profile: profile has 2 shares; expected 5"),
        ({"weekly_volume": 100}, {}, "arrivals.weekly_volume: weekly_volume is the volume of the run's days"),
        ({"weekly_volume": 100, "day_shares": [1, 2]}, {"days": [{"name": "a"}]}, "day_shares has 2 shares; expected 1"),
        ({"volume": 1e9}, {}, "arrivals.volume: Input should be less than or equal to 100000000"),
    ],
    ids=["none", "two", "rate-profile", "shares-no-week", "zero-profile", "profile-length",
         "week-no-days", "shares-length", "huge"],
)  # fmt: skip
def test_volume_forms_are_checked(arrivals: dict, top: dict, message: str) -> None:
    from ccsim import ScenarioError

    with pytest.raises(ScenarioError) as info:
        _types(arrivals, **top)
    assert message in str(info.value), str(info.value)


def test_shares_take_percentages_and_say_how_to_write_eighty() -> None:
    from ccsim import ScenarioError

    data = {"rate_per_hour": 10}
    s = _types(
        data,
        ivr={
            "time": {"dist": "fixed", "mean": 10},
            "deflection": "20%",
            "abandon": {"calls": "2.5 %"},
        },
    )
    assert (s.ivr.deflection, s.ivr.abandon) == (0.2, {"calls": 0.025})
    with pytest.raises(ScenarioError) as info:
        _types(data, ivr={"time": {"dist": "fixed", "mean": 10}, "deflection": 80})
    assert (
        "ivr.deflection: a share is a number between 0 and 1: for 80 % write 0.8 (got 80)"
        in str(info.value)
    )
    with pytest.raises(ScenarioError) as info:
        _types(data, ivr={"time": {"dist": "fixed", "mean": 10}, "deflection": "lots%"})
    assert "expected a number or a percentage such as '20%', got 'lots%'" in str(info.value)
