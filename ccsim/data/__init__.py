"""From a real centre's ACD log to a scenario, and back: calibration and backtests.

A planner has her ACD's call log (one row per call: when it arrived, which queue, how
long it spent in the IVR and in the queue, whether and when an agent answered, how
long they talked, which agent) and perhaps its interval reports. This package turns
them into the inputs of a ccsim scenario and says how well that scenario predicts
days it was not fitted to:

* :mod:`ccsim.data.acdlog`: the generic per-call layout, column mappings, the tidy
  per-call frame every estimator reads, and exclusions with their reasons;
  :mod:`~ccsim.data.technion` (the Technion call-log format) and
  :mod:`~ccsim.data.records` (ccsim's own contact records) as named formats;
  :mod:`~ccsim.data.intervals`: interval reports (agents, volumes per interval).
* Estimates, one concept per module: :mod:`~ccsim.data.arrivals` (rates per interval
  and day type, the day factor's cv), :mod:`~ccsim.data.durations` (handle and IVR
  time), :mod:`~ccsim.data.patience` (Kaplan-Meier and censored fits) on the shared
  :mod:`~ccsim.data.fitting`, :mod:`~ccsim.data.agents` (agents on the phones, the
  post-call gap), :mod:`~ccsim.data.anomalies` (outages and closed queues),
  :mod:`~ccsim.data.observed` (the KPIs the log shows, with ccsim's definitions).
* :mod:`~ccsim.data.replay`: simulate actual days (their volumes and agents);
  :mod:`~ccsim.data.capacity`: the capacity calibration fitted on those days.
* :mod:`~ccsim.data.calibrate`: :func:`calibrate` and its :class:`Calibration`, built
  as a scenario by :mod:`~ccsim.data.typical_day`, written with comments by
  :mod:`~ccsim.data.scenario_file`, explained by :mod:`~ccsim.data.diagnostics`;
  :mod:`~ccsim.data.backtest`: :func:`backtest` on held-out days.
"""

from ccsim.data.acdlog import CallLog, LogError, read_log
from ccsim.data.backtest import Backtest, backtest
from ccsim.data.calibrate import Calibration, calibrate

__all__ = ["Backtest", "CallLog", "Calibration", "LogError", "backtest", "calibrate", "read_log"]
