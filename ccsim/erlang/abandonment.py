"""Erlang A (M/M/n+M): a contact-centre queue whose callers hang up.

Erlang C assumes that a caller waits for as long as it takes. Real callers do not: each
one has a *patience*, and a caller still in the queue when it runs out hangs up
(*abandons*). Erlang A models that patience as exponential with mean ``mean_patience``,
independent of everything else. Otherwise the model is the Erlang C one: Poisson
arrivals at ``arrival_rate``, ``n`` identical agents with exponential handle times of
mean ``mean_handle`` (offered load ``a = arrival_rate * mean_handle`` Erlangs), and a
first-come first-served queue with unlimited room. In Kendall notation this is M/M/n+M,
the "Palm" or Erlang A model.

Abandonment is what makes the model realistic: queues stay finite even when
``a >= n`` (in overload the surplus callers give up), and adding agents pays off less
than Erlang C predicts. Because Erlang A reports who abandons, it gives more than the
probability of waiting and the average speed of answer: the abandonment rate, the
service level counted three common ways, and the agents' occupancy
(:class:`ErlangAResult`). :func:`erlang_a_agents` finds the fewest agents that meet a
service-level target, optionally with a ceiling on abandonment.

How it is computed (details in :func:`erlang_a`). With ``mu = 1/mean_handle`` and
``theta = 1/mean_patience``, the number of callers in the system is a birth-death chain:
arrivals at rate ``lambda``, and with ``j`` callers waiting, departures at rate
``n mu + j theta`` (calls that end plus callers who hang up). Its stationary law is

    pi_k ~ a^k / k!                                       (k <= n agents busy),
    pi_{n+j} = pi_n * prod_{i=1}^{j} lambda / (n mu + i theta)   (j callers waiting).

The agent states sum to ``pi_n / B(n, a)`` with Erlang B, evaluated by a log-space
recurrence; the queue series is summed in log space until its remaining tail is
negligible. Waiting-time figures condition on the queue seen on arrival (PASTA): the
chance that a caller is answered within ``t`` is a negative-binomial tail, that is a
regularized incomplete beta function, evaluated for every queue length at once.
``mean_patience = math.inf`` gives exactly the Erlang C figures.

References: Palm (1943); Garnett, Mandelbaum & Reiman (2002), "Designing a call center
with impatient customers", Manufacturing & Service Operations Management 4(3);
Mandelbaum & Zeltyn, "The M/M/n+G queue: summary of performance measures".

These functions are re-exported by :mod:`ccsim.erlang`, the module to import them from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ccsim.erlang._common import (
    _MAX_AGENTS,
    _count,
    _erlang_c_value,
    _fraction,
    _log1mexp,
    _log_inv_erlang_b,
    _real,
)

__all__ = ["ErlangAResult", "erlang_a", "erlang_a_agents"]

# Queue states whose probability is below exp(-_LOG_CUTOFF) times the largest one are
# dropped (together with a bound on everything beyond them).
_LOG_CUTOFF = 45.0
# Largest number of queue states the Erlang-A state sum may use.
_MAX_QUEUE_STATES = 20_000_000


# --------------------------------------------------------------------------------------
# numerical helpers
# --------------------------------------------------------------------------------------


def _queue_log_weights(lam: float, nmu: float, theta: float, log_floor_ref: float) -> np.ndarray:
    """Return ``log q_j`` for ``j = 0..J`` with ``q_j = prod_{i<=j} lam / (nmu + i*theta)``.

    ``q_j = pi_{n+j} / pi_n`` are the relative probabilities of the Erlang-A queue
    states. The series is cut at the first ``J`` beyond which every further term ratio
    is below one and the whole remaining tail is smaller than ``exp(-_LOG_CUTOFF)``
    times the largest weight (the larger of the queue terms and ``exp(log_floor_ref)``).
    """
    log_lam = math.log(lam)
    pieces = [np.zeros(1)]
    last = 0.0
    best = max(0.0, log_floor_ref)
    start = 1
    size = 1024
    total = 1
    while True:
        i = np.arange(start, start + size, dtype=float)
        inc = log_lam - np.log(nmu + i * theta)
        lq = last + np.cumsum(inc)
        best = max(best, float(lq.max()))
        # ratio of the term after j to term j (decreasing in j)
        nxt = log_lam - np.log(nmu + (i + 1.0) * theta)
        ratio = np.exp(nxt)
        with np.errstate(divide="ignore"):
            log_tail = lq + nxt - np.log1p(-np.minimum(ratio, 1.0))
        done = np.nonzero((ratio < 1.0) & (log_tail < best - _LOG_CUTOFF))[0]
        if done.size:
            pieces.append(lq[: done[0] + 1])
            break
        pieces.append(lq)
        total += size
        if total > _MAX_QUEUE_STATES:
            raise ValueError(
                "mean_patience is too long relative to mean_handle for the queue-state sum "
                f"(more than {_MAX_QUEUE_STATES} waiting positions would be needed); "
                "use mean_patience=math.inf (Erlang C) instead"
            )
        last = float(lq[-1])
        start += size
        size = min(2 * size, 1 << 20)
    return np.concatenate(pieces)


def _negbin_cdf(b: float, log_x: float, log_1mx: float, jmax: int) -> np.ndarray:
    """CDF at ``0..jmax`` of the negative binomial ``P(K=k) = C(k+b-1, k) (1-x)^b x^k``.

    ``P(K <= j) = 1 - I_x(j+1, b)`` (regularized incomplete beta), and with
    ``x = 1 - exp(-theta*t)`` the value ``I_x(j+1, b)`` is the CDF at ``t`` of a sum of
    ``j + 1`` independent exponentials with rates ``theta*(b + i)``, ``i = 0..j``.
    So ``P(K <= j)`` is the probability that such a sum exceeds ``t``. Terms are formed in
    log space, so nothing under- or overflows.
    """
    k = np.arange(1, jmax + 1, dtype=float)
    log_binom = np.concatenate(([0.0], np.cumsum(np.log1p((b - 1.0) / k))))
    kk = np.arange(0, jmax + 1, dtype=float)
    log_pmf = b * log_1mx + kk * log_x + log_binom
    return np.minimum(np.cumsum(np.exp(log_pmf)), 1.0)


# --------------------------------------------------------------------------------------
# Erlang A
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErlangAResult:
    """Steady-state performance of the Erlang A (M/M/n+M) model.

    All shares are fractions of **all** arriving contacts unless stated otherwise.
    Times are in the unit of ``mean_handle``.

    Attributes
    ----------
    p_wait : float
        ``P(wait > 0)``: share of arrivals that find every agent busy.
    p_abandon : float
        Share of arrivals that abandon.
    asa : float
        Average speed of answer: mean wait of the **answered** contacts (zero waits
        included); ``nan`` if no contact is ever answered (``agents == 0``).
    mean_wait : float
        Mean time in queue over all arrivals: ``0`` for those served at once, the wait
        until answer or until abandonment otherwise.
    service_level : float
        ``P(answered and wait <= threshold)``: answered within the threshold over all
        arrivals.
    service_level_answered : float
        ``P(wait <= threshold | answered)``; ``nan`` if nobody is answered.
    service_level_excl_short_abandons : float
        Answered within the threshold divided by (arrivals minus those that abandon
        within the threshold).
    p_abandon_within : float
        Share of arrivals that abandon after waiting at most ``threshold``.
    occupancy : float
        Carried load per agent: ``lambda (1 - p_abandon) * mean_handle / agents``
        (``nan`` when ``agents == 0``).
    """

    p_wait: float
    p_abandon: float
    asa: float
    mean_wait: float
    service_level: float
    service_level_answered: float
    service_level_excl_short_abandons: float
    p_abandon_within: float
    occupancy: float


def _erlang_a_no_abandonment(n: int, lam: float, h: float, t: float) -> ErlangAResult:
    """Erlang C figures in the Erlang A result shape (infinite patience)."""
    a = lam * h
    if a >= n:
        return ErlangAResult(
            p_wait=1.0,
            p_abandon=0.0,
            asa=math.inf,
            mean_wait=math.inf,
            service_level=0.0,
            service_level_answered=0.0,
            service_level_excl_short_abandons=0.0,
            p_abandon_within=0.0,
            occupancy=1.0 if n > 0 else math.nan,
        )
    # The Erlang C formulas of ccsim.erlang.erlang_c / erlang_c_asa /
    # erlang_c_service_level (that module imports this one, so they are not imported).
    c = _erlang_c_value(n, a)
    if a == 0.0:
        asa, sl = 0.0, 1.0
    else:
        asa = c * h / (n - a)
        sl = 1.0 - c * math.exp(-(n - a) * t / h)
    return ErlangAResult(
        p_wait=c,
        p_abandon=0.0,
        asa=asa,
        mean_wait=asa,
        service_level=sl,
        service_level_answered=sl,
        service_level_excl_short_abandons=sl,
        p_abandon_within=0.0,
        occupancy=a / n,
    )


def erlang_a(
    agents: int,
    arrival_rate: float,
    mean_handle: float,
    mean_patience: float,
    threshold: float = 0.0,
) -> ErlangAResult:
    """Exact steady-state measures of the Erlang A (M/M/n+M) model.

    Poisson arrivals, ``agents`` agents with exponential handle times, first-come
    first-served queue, and each waiting contact abandons once its own exponential
    patience (mean ``mean_patience``) runs out. Works for any load, including
    overload (``arrival_rate * mean_handle >= agents``).

    Parameters
    ----------
    agents : int
        Number of agents, ``>= 0``.
    arrival_rate : float
        Arrivals per unit time ``lambda``, ``>= 0``.
    mean_handle : float
        Mean handle time ``1/mu``, ``> 0``.
    mean_patience : float
        Mean patience ``1/theta``, ``> 0``. ``math.inf`` gives the Erlang C figures
        (then ``asa``/``mean_wait`` are ``inf`` and service levels ``0`` if
        ``load >= agents``).
    threshold : float, default 0.0
        Service-level threshold ``t`` (same time unit), ``>= 0``; ``math.inf`` allowed.

    Returns
    -------
    ErlangAResult
        ``p_wait``, ``p_abandon``, ``asa``, ``mean_wait``, ``service_level``,
        ``service_level_answered``, ``service_level_excl_short_abandons``,
        ``p_abandon_within`` and ``occupancy``; see :class:`ErlangAResult`.

    Notes
    -----
    *State probabilities.* With ``r = n mu / theta`` the birth-death chain has
    ``pi_k ~ a^k / k!`` (``k <= n``) and ``pi_{n+j} = pi_n prod_{i=1}^{j} lambda /
    (n mu + i theta)``. ``sum_{k<=n} pi_k / pi_n = 1 / B(n, a)`` (log-space Erlang B
    recurrence); the queue terms are summed in log space until they, and a geometric
    bound on the rest, are negligible.

    *Waiting times.* By PASTA an arrival sees state ``n + j`` with probability
    ``pi_{n+j}``. Its offered wait ``V`` (time until an agent would take it if it
    never gave up) is the time for ``j + 1`` departures of a pure-death process with
    rates ``n mu + i theta``, ``i = j..0``; its own patience ``tau ~ Exp(theta)`` is
    independent of ``V``. Adding the contact's own abandonment, while ``m`` contacts are
    ahead it leaves its position at rate ``n mu + (m + 1) theta`` and moves up with
    probability ``(n mu + m theta) / (n mu + (m + 1) theta)``. Hence, given ``j``,

    * ``P(answered) = r / (r + j + 1)`` (telescoping product);
    * given answered, the wait is ``sum_{i=1}^{j+1} Exp(theta (r + i))``, whose CDF at
      ``t`` is the regularized incomplete beta ``I_x(j + 1, r + 1)``,
      ``x = 1 - exp(-theta t)`` (``exp(-theta Exp(theta(r+i)))`` is Beta(r+i, 1) and the
      product of these is Beta(r+1, j+1));
    * ``P(wait > t) = P(tau > t) P(V > t) = exp(-theta t) (1 - I_x(j + 1, r))``;
    * ``E[wait; answered] = r / (r + j + 1) * sum_{i=1}^{j+1} 1 / (n mu + i theta)``.

    ``I_x(j+1, b) = P(K > j)`` for a negative binomial ``K`` with
    ``P(K=k) = C(k+b-1, k) (1-x)^b x^k``, evaluated for all ``j`` at once in log space.
    Abandonment within ``t`` follows as ``P(wait <= t) - P(answered, wait <= t)`` and the
    overall mean wait from Little's law, ``E[L_q] / lambda``. The results agree with the
    closed forms of Garnett, Mandelbaum & Reiman (2002), "Designing a call center with
    impatient customers", MSOM 4(3), and Mandelbaum & Zeltyn, "The M/M/n+G queue:
    summary of performance measures".

    Examples
    --------
    >>> r = erlang_a(190, arrival_rate=1.0, mean_handle=180.0, mean_patience=300.0,
    ...              threshold=20.0)
    >>> round(r.service_level, 5), round(r.p_abandon, 6), round(r.asa, 3)
    (0.96677, 0.007933, 2.336)
    >>> round(r.occupancy, 5), round(r.p_wait, 4)
    (0.93985, 0.2621)
    """
    n = _count("agents", agents)
    lam = _real("arrival_rate", arrival_rate)
    h = _real("mean_handle", mean_handle, positive=True)
    patience = _real("mean_patience", mean_patience, positive=True, allow_inf=True)
    t = _real("threshold", threshold, allow_inf=True)

    if lam == 0.0:
        return ErlangAResult(
            p_wait=0.0,
            p_abandon=0.0,
            asa=0.0,
            mean_wait=0.0,
            service_level=1.0,
            service_level_answered=1.0,
            service_level_excl_short_abandons=1.0,
            p_abandon_within=0.0,
            occupancy=0.0 if n > 0 else math.nan,
        )
    if math.isinf(patience):
        return _erlang_a_no_abandonment(n, lam, h, t)
    theta = 1.0 / patience
    if n == 0:
        # nobody is ever answered: every contact waits exactly its patience
        within = -math.expm1(-theta * t)
        return ErlangAResult(
            p_wait=1.0,
            p_abandon=1.0,
            asa=math.nan,
            mean_wait=patience,
            service_level=0.0,
            service_level_answered=math.nan,
            service_level_excl_short_abandons=0.0,
            p_abandon_within=within,
            occupancy=math.nan,
        )

    mu = 1.0 / h
    nmu = n * mu
    a = lam * h
    r = nmu / theta

    log_inv_b = _log_inv_erlang_b(n, a)  # log sum_{k<=n} pi_k / pi_n
    log_q = _queue_log_weights(lam, nmu, theta, log_inv_b)  # log pi_{n+j} / pi_n, j = 0..J
    jmax = log_q.size - 1
    # Shift by the largest log weight first: log_q can be of order 1e5 in heavy overload
    # and subtracting two such numbers after rounding would cost relative accuracy.
    top = max(log_inv_b, float(log_q.max()))
    log_q = log_q - top
    log_z = math.log(math.exp(log_inv_b - top) + float(np.exp(log_q[1:]).sum()))
    w = np.exp(log_q - log_z)  # pi_{n+j}, j = 0..J
    j = np.arange(jmax + 1, dtype=float)

    p_wait = min(float(w.sum()), 1.0)
    # P(V = 0) = sum_{k<n} pi_k = pi_n (1/B - 1), without cancellation
    p_now = math.exp(log_inv_b - top + _log1mexp(log_inv_b) - log_z)
    p_answer_j = r / (r + j + 1.0)
    p_abandon = min(float(np.dot(w, (j + 1.0) / (r + j + 1.0))), p_wait)
    p_answer = p_now + float(np.dot(w, p_answer_j))
    mean_queue = float(np.dot(w, j))
    mean_wait = mean_queue / lam
    # E[wait; answered | j] = P(answered | j) * sum_{i=1}^{j+1} 1 / (n mu + i theta)
    stage_means = np.cumsum(1.0 / (nmu + (j + 1.0) * theta))
    asa = float(np.dot(w, p_answer_j * stage_means)) / p_answer

    if t == 0.0:
        answered_within = p_now
        abandoned_within = 0.0
    elif math.isinf(t):
        answered_within = p_answer
        abandoned_within = p_abandon
    else:
        log_x = _log1mexp(theta * t)
        log_1mx = -theta * t
        cdf_answer = _negbin_cdf(r + 1.0, log_x, log_1mx, jmax)  # 1 - I_x(j+1, r+1)
        cdf_offered = _negbin_cdf(r, log_x, log_1mx, jmax)  # 1 - I_x(j+1, r) = P(V > t)
        answered_within = p_now + float(np.dot(w, p_answer_j * (1.0 - cdf_answer)))
        still_waiting = math.exp(-theta * t) * float(np.dot(w, cdf_offered))
        abandoned_within = min(max(1.0 - still_waiting - answered_within, 0.0), p_abandon)

    answered_within = min(answered_within, p_answer)
    return ErlangAResult(
        p_wait=p_wait,
        p_abandon=p_abandon,
        asa=asa,
        mean_wait=mean_wait,
        service_level=answered_within,
        service_level_answered=answered_within / p_answer,
        service_level_excl_short_abandons=answered_within / (1.0 - abandoned_within),
        p_abandon_within=abandoned_within,
        occupancy=min(1.0, a * (1.0 - p_abandon) / n),
    )


# --------------------------------------------------------------------------------------
# staffing
# --------------------------------------------------------------------------------------


def erlang_a_agents(
    arrival_rate: float,
    mean_handle: float,
    mean_patience: float,
    threshold: float,
    target: float,
    max_abandon: float | None = None,
) -> int:
    """Fewest agents whose Erlang A service level (and abandonment) meet the targets.

    Parameters
    ----------
    arrival_rate : float
        Arrivals per unit time, ``>= 0``.
    mean_handle : float
        Mean handle time, ``> 0``.
    mean_patience : float
        Mean patience, ``> 0`` (``math.inf`` gives Erlang C staffing).
    threshold : float
        Service-level threshold, ``>= 0``.
    target : float
        Required :attr:`ErlangAResult.service_level` (answered within the threshold over
        all arrivals), in ``(0, 1)``.
    max_abandon : float or None, default None
        Optional ceiling on :attr:`ErlangAResult.p_abandon`, in ``(0, 1]``.

    Returns
    -------
    int
        The smallest ``n`` with ``service_level >= target`` and
        ``p_abandon <= max_abandon``; ``0`` when ``arrival_rate == 0``.

    Notes
    -----
    Both measures are monotone in ``n`` (more agents never hurt), so the answer is
    bracketed by doubling from ``ceil(a)`` and then found by bisection, with
    O(log n) evaluations of :func:`erlang_a`.

    Examples
    --------
    >>> erlang_a_agents(1.0, 180.0, 300.0, threshold=20.0, target=0.8)
    179
    """
    lam = _real("arrival_rate", arrival_rate)
    h = _real("mean_handle", mean_handle, positive=True)
    patience = _real("mean_patience", mean_patience, positive=True, allow_inf=True)
    t = _real("threshold", threshold, allow_inf=True)
    goal = _fraction("target", target, upper_inclusive=False)
    ceiling = (
        None if max_abandon is None else _fraction("max_abandon", max_abandon, upper_inclusive=True)
    )
    if lam == 0.0:
        return 0

    def ok(n: int) -> bool:
        res = erlang_a(n, lam, h, patience, t)
        if res.service_level < goal:
            return False
        return ceiling is None or res.p_abandon <= ceiling

    lo = 0  # infeasible: with no agent nobody is answered
    hi = max(1, math.ceil(lam * h))
    while not ok(hi):
        lo = hi
        hi *= 2
        if hi > _MAX_AGENTS:
            raise ValueError(
                f"no staffing up to {_MAX_AGENTS} agents reaches target {target!r}"
                + ("" if ceiling is None else f" with max_abandon {max_abandon!r}")
            )
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi
