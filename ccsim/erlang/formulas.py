"""Erlang B and C (M/M/n/n, M/M/n/K, M/M/n), staffing rules and the Halfin-Whitt rule.

The formulas of :mod:`ccsim.erlang` (the public front, which re-exports them) other
than Erlang A: loss and finite-queue systems (:func:`erlang_b`, :func:`mmck_blocking`,
:func:`mmck_metrics`), the infinitely patient queue (:func:`erlang_c`,
:func:`erlang_c_asa`, :func:`erlang_c_service_level`), and the fewest agents meeting a
target (:func:`erlang_c_agents`, :func:`square_root_staffing`, :func:`halfin_whitt_beta`).
:func:`erlang_a` and :func:`erlang_a_agents` are re-exported from
:mod:`ccsim.erlang.abandonment` so that this module's ``__all__`` lists every formula.
All arithmetic is by recurrences in log space (see the package docstring).
"""

from __future__ import annotations

import math

from ccsim.erlang._common import (
    _MAX_AGENTS,
    _count,
    _erlang_b_value,
    _erlang_c_value,
    _fraction,
    _log1mexp,
    _log_inv_erlang_b,
    _logaddexp,
    _real,
)
from ccsim.erlang.abandonment import ErlangAResult, erlang_a, erlang_a_agents

__all__ = [
    "ErlangAResult",
    "erlang_a",
    "erlang_a_agents",
    "erlang_b",
    "erlang_c",
    "erlang_c_agents",
    "erlang_c_asa",
    "erlang_c_service_level",
    "halfin_whitt_beta",
    "mmck_blocking",
    "mmck_metrics",
    "square_root_staffing",
]


# --------------------------------------------------------------------------------------
# geometric sums for the finite queue of M/M/c/K
# --------------------------------------------------------------------------------------


def _log_geometric_sum(s: float, count: int) -> float:
    """Return ``log sum_{i=0}^{count-1} exp(s*i)`` (``-inf`` when ``count == 0``)."""
    if count <= 0:
        return -math.inf
    if count == 1:
        return 0.0
    if s == 0.0:
        return math.log(count)
    if s == -math.inf:
        return 0.0
    if s > 0:
        return s * (count - 1) + _log1mexp(s * count) - _log1mexp(s)
    return _log1mexp(-s * count) - _log1mexp(-s)


def _truncated_geometric_mean(s: float, m: int) -> float:
    """Mean of ``j`` on ``{1, ..., m}`` with weights ``exp(s*j)`` (``m >= 1``)."""
    if m == 1 or s == -math.inf:
        return 1.0
    if abs(s) * m < 1e-3:
        # cumulant expansion around the uniform distribution (third cumulant is zero)
        return (m + 1) / 2.0 + s * (m * m - 1) / 12.0
    # mean = 1/(1 - e^s) - m e^{sm} / (1 - e^{sm})
    first = -1.0 / math.expm1(s)
    sm = s * m
    second = 0.0 if -sm > 700.0 else m / math.expm1(-sm)
    return first - second


# --------------------------------------------------------------------------------------
# Erlang B and M/M/c/K
# --------------------------------------------------------------------------------------


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of the Erlang B (M/M/n/n) loss system.

    The share of contacts that find all ``agents`` busy and are lost when there is no
    queue, with Poisson arrivals and an offered load of ``load`` Erlangs.

    Parameters
    ----------
    agents : int
        Number of agents (servers, lines), ``>= 0``.
    load : float
        Offered load in Erlangs (arrival rate x mean handle time), ``>= 0``.

    Returns
    -------
    float
        Blocking probability ``B(n, a)`` in ``[0, 1]``; ``1.0`` when ``agents == 0``.

    Notes
    -----
    ``B(n, a) = (a^n / n!) / sum_{k=0}^{n} a^k / k!``, computed with the stable
    recurrence ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))`` (Jagerman, 1974).
    The result is insensitive to the handle-time distribution.

    Examples
    --------
    >>> round(erlang_b(10, 5.0), 6)
    0.018385
    >>> erlang_b(0, 3.0)
    1.0
    """
    n = _count("agents", agents)
    a = _real("load", load)
    return _erlang_b_value(n, a)


def _mmck_core(n: int, cap: int, a: float) -> tuple[float, float, float, float]:
    """Return ``(p_block, p_wait, mean_queue, p_accept)`` for M/M/n/K with ``n >= 1``."""
    m = cap - n
    if a == 0.0:
        return 0.0, 0.0, 0.0, 1.0
    s = math.log(a / n)  # log rho
    # All masses are relative to pi_n * rho^offset, the largest queue term, so that no
    # large logarithm has to be subtracted from another (which would lose digits).
    offset = s * m if s > 0 else 0.0

    def log_rho_sum(lo: int, hi: int) -> float:
        """``log sum_{j=lo}^{hi} rho^j - offset`` (``-inf`` for an empty range)."""
        if hi < lo:
            return -math.inf
        if s > 0:
            return (hi - m) * s + _log_geometric_sum(-s, hi - lo + 1)
        return lo * s + _log_geometric_sum(s, hi - lo + 1)

    log_low = _log_inv_erlang_b(n, a)  # log sum_{k<=n} pi_k / pi_n
    log_below = log_low + _log1mexp(log_low) if log_low > 0 else -math.inf  # k < n
    log_queue = log_rho_sum(1, m)  # states n+1 .. K
    log_waiting = log_rho_sum(0, m - 1)  # states n .. K-1: accepted arrivals that wait
    log_z = _logaddexp(log_low - offset, log_queue)
    p_block = math.exp(log_rho_sum(m, m) - log_z)
    p_wait = math.exp(log_waiting - log_z)
    mean_queue = math.exp(log_queue - log_z) * _truncated_geometric_mean(s, m) if m > 0 else 0.0
    # 1 - p_block without cancellation when p_block is close to 1
    p_accept = math.exp(_logaddexp(log_below - offset, log_waiting) - log_z)
    return p_block, p_wait, mean_queue, p_accept


def mmck_blocking(agents: int, capacity: int, load: float) -> float:
    """Blocking probability of the M/M/n/K system (``agents`` agents, ``capacity`` lines).

    A centre with ``capacity`` trunk lines and ``agents`` agents lets at most
    ``capacity - agents`` contacts wait (with unlimited patience); arrivals that find all
    lines in use get a busy tone.

    Parameters
    ----------
    agents : int
        Number of agents, ``>= 0``.
    capacity : int
        Number of lines ``K`` (agents plus waiting places), ``>= agents``.
    load : float
        Offered load in Erlangs, ``>= 0``.

    Returns
    -------
    float
        ``P(all K lines busy)`` = share of arrivals blocked. ``1.0`` when ``agents == 0``
        (with no agent every line eventually fills up).

    Notes
    -----
    With ``rho = a/n`` the stationary probabilities are ``pi_k = pi_0 a^k/k!`` for
    ``k <= n`` and ``pi_{n+j} = pi_n rho^j`` for ``0 <= j <= K - n``; the blocking
    probability is ``pi_K`` (PASTA). Computed as
    ``pi_K = rho^(K-n) / (1/B(n, a) + sum_{j=1}^{K-n} rho^j)`` in log space with the
    closed-form geometric sum. ``capacity == agents`` reduces to :func:`erlang_b`.
    See Gross & Harris, *Fundamentals of Queueing Theory*, section 2.5.

    Examples
    --------
    >>> round(mmck_blocking(2, 4, 2.0), 6)  # pi = (1, 2, 2, 2, 2) / 9
    0.222222
    >>> mmck_blocking(10, 10, 5.0) == erlang_b(10, 5.0)
    True
    """
    n = _count("agents", agents)
    cap = _count("capacity", capacity)
    a = _real("load", load)
    if cap < n:
        raise ValueError(f"capacity must be >= agents ({n}), got {capacity!r}")
    if cap == n:
        return erlang_b(n, a)
    if n == 0:
        return 1.0
    return _mmck_core(n, cap, a)[0]


def mmck_metrics(
    agents: int, capacity: int, arrival_rate: float, mean_handle: float
) -> dict[str, float]:
    """Compute the M/M/n/K performance measures (finite waiting room, patient callers).

    Parameters
    ----------
    agents : int
        Number of agents, ``>= 1``.
    capacity : int
        Number of lines ``K`` (agents plus waiting places), ``>= agents``.
    arrival_rate : float
        Arrivals per unit time, ``>= 0``.
    mean_handle : float
        Mean handle time (same time unit), ``> 0``.

    Returns
    -------
    dict[str, float]
        ``p_block``
            Share of all arrivals that are blocked (find all ``K`` lines busy).
        ``p_wait``
            Share of **all** arrivals that are accepted *and* have to wait (find every
            agent busy but a free line): ``sum_{k=n}^{K-1} pi_k``.
        ``mean_wait``
            Mean waiting time of the **accepted** contacts (including those answered
            at once), ``E[L_q] / (lambda (1 - p_block))`` by Little's law.
        ``occupancy``
            Carried load per agent, ``lambda (1 - p_block) * mean_handle / agents``.

    Notes
    -----
    Stationary distribution as in :func:`mmck_blocking`; the mean queue length uses the
    closed-form mean of a truncated geometric distribution. Gross & Harris,
    *Fundamentals of Queueing Theory*, section 2.5.

    Examples
    --------
    >>> m = mmck_metrics(2, 4, arrival_rate=1.0, mean_handle=2.0)
    >>> round(m["p_block"], 6), round(m["p_wait"], 6), round(m["occupancy"], 6)
    (0.222222, 0.444444, 0.777778)
    >>> round(m["mean_wait"], 6)  # E[Lq] = 6/9 over accepted rate 7/9
    0.857143
    """
    n = _count("agents", agents)
    cap = _count("capacity", capacity)
    lam = _real("arrival_rate", arrival_rate)
    h = _real("mean_handle", mean_handle, positive=True)
    if n < 1:
        raise ValueError(f"agents must be >= 1, got {agents!r}")
    if cap < n:
        raise ValueError(f"capacity must be >= agents ({n}), got {capacity!r}")
    a = lam * h
    if cap == n:
        p_block = erlang_b(n, a)
        p_wait, mean_queue, p_accept = 0.0, 0.0, 1.0 - p_block
    else:
        p_block, p_wait, mean_queue, p_accept = _mmck_core(n, cap, a)
    mean_wait = mean_queue / (lam * p_accept) if lam > 0 else 0.0
    return {
        "p_block": p_block,
        "p_wait": p_wait,
        "mean_wait": mean_wait,
        "occupancy": min(1.0, a * p_accept / n),
    }


# --------------------------------------------------------------------------------------
# Erlang C
# --------------------------------------------------------------------------------------


def erlang_c(agents: int, load: float) -> float:
    """Probability of waiting in the Erlang C (M/M/n) queue.

    The share of contacts that find all agents busy and must queue, when callers never
    abandon.

    Parameters
    ----------
    agents : int
        Number of agents, ``>= 0``.
    load : float
        Offered load in Erlangs, ``>= 0``.

    Returns
    -------
    float
        ``C(n, a) = P(wait > 0)``; ``1.0`` when ``load >= agents`` (the queue grows
        without bound and every contact eventually waits).

    Notes
    -----
    ``C = B / (1 - rho (1 - B))`` with ``B = erlang_b(n, a)`` and ``rho = a/n``, which
    equals ``(a^n/n! * n/(n-a)) / (sum_{k<n} a^k/k! + a^n/n! * n/(n-a))``.
    Cooper, *Introduction to Queueing Theory*, section 3.4.

    Examples
    --------
    >>> round(erlang_c(10, 8.0), 6)
    0.40918
    >>> erlang_c(5, 5.0)
    1.0
    """
    n = _count("agents", agents)
    a = _real("load", load)
    return _erlang_c_value(n, a)


def erlang_c_asa(agents: int, arrival_rate: float, mean_handle: float) -> float:
    """Average speed of answer (mean wait of all contacts) in the Erlang C model.

    Parameters
    ----------
    agents : int
        Number of agents, ``>= 0``.
    arrival_rate : float
        Arrivals per unit time, ``>= 0``.
    mean_handle : float
        Mean handle time, ``> 0``.

    Returns
    -------
    float
        ``E[W] = C(n, a) * mean_handle / (n - a)`` in the time unit of ``mean_handle``;
        ``math.inf`` when ``a >= n``.

    Notes
    -----
    In M/M/n the wait of a contact that queues is exponential with rate
    ``n/h - lambda``; every contact is answered, so ASA equals the mean wait.

    Examples
    --------
    >>> round(erlang_c_asa(10, arrival_rate=8 / 180, mean_handle=180.0), 4)
    36.8262
    """
    n = _count("agents", agents)
    lam = _real("arrival_rate", arrival_rate)
    h = _real("mean_handle", mean_handle, positive=True)
    a = lam * h
    if a >= n:
        return math.inf
    if a == 0.0:
        return 0.0
    return erlang_c(n, a) * h / (n - a)


def erlang_c_service_level(
    agents: int, arrival_rate: float, mean_handle: float, threshold: float
) -> float:
    """Service level ``P(wait <= threshold)`` in the Erlang C model.

    Parameters
    ----------
    agents : int
        Number of agents, ``>= 0``.
    arrival_rate : float
        Arrivals per unit time, ``>= 0``.
    mean_handle : float
        Mean handle time, ``> 0``.
    threshold : float
        Answer-time threshold (e.g. 20 s), ``>= 0``; ``math.inf`` is allowed.

    Returns
    -------
    float
        ``1 - C(n, a) exp(-(n - a) t / h)``; ``0.0`` when ``a >= n`` (unstable queue).

    Notes
    -----
    Given that it waits, a contact's wait is exponential with rate ``(n - a)/h``.

    Examples
    --------
    >>> round(erlang_c_service_level(10, 8 / 180, 180.0, threshold=20.0), 6)
    0.672354
    """
    n = _count("agents", agents)
    lam = _real("arrival_rate", arrival_rate)
    h = _real("mean_handle", mean_handle, positive=True)
    t = _real("threshold", threshold, allow_inf=True)
    a = lam * h
    if a >= n:
        return 0.0
    if a == 0.0:
        return 1.0
    return 1.0 - erlang_c(n, a) * math.exp(-(n - a) * t / h)


# --------------------------------------------------------------------------------------
# staffing
# --------------------------------------------------------------------------------------


def erlang_c_agents(
    arrival_rate: float, mean_handle: float, threshold: float, target: float
) -> int:
    """Fewest agents whose Erlang C service level reaches ``target``.

    Parameters
    ----------
    arrival_rate : float
        Arrivals per unit time, ``>= 0``.
    mean_handle : float
        Mean handle time, ``> 0``.
    threshold : float
        Service-level threshold (e.g. 20 s), ``>= 0``.
    target : float
        Required ``P(wait <= threshold)``, in ``(0, 1)``.

    Returns
    -------
    int
        The smallest ``n`` with :func:`erlang_c_service_level` ``>= target``; ``0`` when
        ``arrival_rate == 0``.

    Notes
    -----
    The service level is increasing in ``n`` once ``n > a``. The search starts at
    ``floor(a) + 1`` and steps up one agent at a time, updating Erlang B with its
    recurrence so each step costs O(1).

    Examples
    --------
    >>> erlang_c_agents(arrival_rate=1.0, mean_handle=180.0, threshold=20.0, target=0.8)
    188
    """
    lam = _real("arrival_rate", arrival_rate)
    h = _real("mean_handle", mean_handle, positive=True)
    t = _real("threshold", threshold, allow_inf=True)
    goal = _fraction("target", target, upper_inclusive=False)
    a = lam * h
    if a == 0.0:
        return 0
    n = math.floor(a) + 1
    b = erlang_b(n, a)
    while n <= _MAX_AGENTS:
        rho = a / n
        c = b / (1.0 - rho + rho * b)
        if 1.0 - c * math.exp(-(n - a) * t / h) >= goal:
            return n
        n += 1
        ab = a * b
        b = ab / (n + ab)
    raise ValueError(f"no staffing up to {_MAX_AGENTS} agents reaches target {target!r}")


def square_root_staffing(load: float, beta: float) -> int:
    """Square-root (Halfin-Whitt) staffing ``ceil(a + beta sqrt(a))``.

    Parameters
    ----------
    load : float
        Offered load ``a`` in Erlangs, ``>= 0``.
    beta : float
        Quality-of-service parameter (safety staffing in units of ``sqrt(a)``); may be
        negative for Erlang A overload staffing.

    Returns
    -------
    int
        ``max(0, ceil(a + beta * sqrt(a)))``.

    Notes
    -----
    Halfin & Whitt (1981), "Heavy-traffic limits for queues with many exponential
    servers", Operations Research 29(3). Use :func:`halfin_whitt_beta` to pick ``beta``
    for a target probability of waiting.

    Examples
    --------
    >>> square_root_staffing(100.0, 1.0)
    110
    >>> square_root_staffing(180.0, 0.5)
    187
    """
    a = _real("load", load)
    try:
        b = float(beta)
    except (TypeError, ValueError):
        raise ValueError(f"beta must be a number, got {beta!r}") from None
    if not math.isfinite(b):
        raise ValueError(f"beta must be finite, got {beta!r}")
    return max(0, math.ceil(a + b * math.sqrt(a)))


def _halfin_whitt_p_wait(beta: float) -> float:
    """Halfin-Whitt limit ``[1 + beta Phi(beta) / phi(beta)]^-1`` (``beta >= 0``)."""
    if beta == 0.0:
        return 1.0
    big_phi = 0.5 * (1.0 + math.erf(beta / math.sqrt(2.0)))
    log_small_phi = -0.5 * beta * beta - 0.5 * math.log(2.0 * math.pi)
    log_ratio = math.log(beta * big_phi) - log_small_phi
    if log_ratio > 700.0:
        return math.exp(-log_ratio)
    return 1.0 / (1.0 + math.exp(log_ratio))


def halfin_whitt_beta(target_p_wait: float) -> float:
    """Halfin-Whitt ``beta`` that gives a target probability of waiting.

    Parameters
    ----------
    target_p_wait : float
        Desired ``P(wait > 0)``, in ``(0, 1)``.

    Returns
    -------
    float
        ``beta >= 0`` solving ``[1 + beta Phi(beta) / phi(beta)]^-1 = target_p_wait``,
        where ``Phi``/``phi`` are the standard normal CDF/density.

    Notes
    -----
    In the Halfin-Whitt (QED) regime, ``n = a + beta sqrt(a)`` agents give
    ``P(wait > 0) -> [1 + beta Phi(beta)/phi(beta)]^-1`` as ``a -> inf`` (Halfin &
    Whitt 1981). The left side decreases from 1 (``beta = 0``) to 0, so ``beta`` is
    found by bisection to full double precision.

    Examples
    --------
    >>> round(halfin_whitt_beta(0.2), 4)
    1.0615
    >>> square_root_staffing(180.0, halfin_whitt_beta(0.2))
    195
    """
    p = _fraction("target_p_wait", target_p_wait, upper_inclusive=False)
    lo, hi = 0.0, 1.0
    while _halfin_whitt_p_wait(hi) > p:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if _halfin_whitt_p_wait(mid) > p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
