"""Queueing formulas for contact-centre planning: Erlang B, C and A.

A contact centre is, to a first approximation, a queue with ``n`` identical *agents*
(servers). Contacts arrive at random (Poisson) at ``arrival_rate`` per second and each
keeps an agent busy for an exponentially distributed *handle time* with mean
``mean_handle`` seconds. The *offered load* in Erlangs is

    a = arrival_rate * mean_handle,

the average number of agents that would be busy if every contact were served. With
``n`` agents the *agent occupancy* is the carried load divided by ``n``.

Three classical models cover the usual planning questions:

* **Erlang B** (M/M/n/n, :func:`erlang_b`): no queue at all; a contact that finds every
  agent busy is lost (a busy tone). :func:`mmck_blocking` / :func:`mmck_metrics`
  generalise this to a finite number of lines (M/M/n/K): ``K - n`` contacts can wait,
  further arrivals are blocked.
* **Erlang C** (M/M/n, :func:`erlang_c`): an infinite, infinitely patient queue. It gives
  the probability of waiting, the average speed of answer (ASA) and the service level
  (share of contacts answered within a threshold such as 20 s). It only exists when
  ``a < n``.
* **Erlang A** (M/M/n+M, :func:`erlang_a`): as Erlang C but every waiting contact has an
  exponentially distributed *patience* with mean ``mean_patience``; a contact whose
  patience runs out before an agent picks it up abandons. Abandonment keeps the queue
  stable even when ``a >= n``, and Erlang A is usually far more realistic than Erlang C.

The staffing helpers (:func:`erlang_c_agents`, :func:`erlang_a_agents`) search the
fewest agents that reach a service-level target, and :func:`square_root_staffing` /
:func:`halfin_whitt_beta` give the Halfin-Whitt rule of thumb ``n = a + beta*sqrt(a)``.

Everything is computed with recurrences and in log space, never with factorials or
large powers, so the functions stay accurate for thousands of agents and offered loads
of thousands of Erlangs. Besides planning, they serve as exact oracles against which the
simulator is tested.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np

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

# Queue states whose probability is below exp(-_LOG_CUTOFF) times the largest one are
# dropped (together with a bound on everything beyond them).
_LOG_CUTOFF = 45.0
# Largest number of queue states the Erlang-A state sum may use.
_MAX_QUEUE_STATES = 20_000_000
# Largest number of agents the staffing searches will consider.
_MAX_AGENTS = 10_000_000


# --------------------------------------------------------------------------------------
# argument checking
# --------------------------------------------------------------------------------------


def _count(name: str, value: object) -> int:
    """Return ``value`` as a non-negative int or raise ValueError naming the argument."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    try:
        n = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            n = int(value)
        else:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}") from None
    if n < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return n


def _real(
    name: str,
    value: object,
    *,
    positive: bool = False,
    allow_inf: bool = False,
) -> float:
    """Return ``value`` as a float >= 0 (or > 0) or raise ValueError naming the argument."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(x):
        raise ValueError(f"{name} must be a number, got nan")
    if math.isinf(x) and not (allow_inf and x > 0):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and x <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if x < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return x


def _fraction(name: str, value: object, *, upper_inclusive: bool) -> float:
    """Return ``value`` as a float in (0, 1) or (0, 1] or raise ValueError."""
    x = _real(name, value)
    if x <= 0 or x > 1 or (x == 1 and not upper_inclusive):
        interval = "(0, 1]" if upper_inclusive else "(0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return x


# --------------------------------------------------------------------------------------
# numerical helpers
# --------------------------------------------------------------------------------------


def _log1mexp(x: float) -> float:
    """Return ``log(1 - exp(-x))`` for ``x >= 0`` (``-inf`` at 0), accurately."""
    if x <= 0:
        return -math.inf
    if x < math.log(2.0):
        return math.log(-math.expm1(-x))
    return math.log1p(-math.exp(-x))


def _logaddexp(x: float, y: float) -> float:
    """Return ``log(exp(x) + exp(y))`` without overflow."""
    if x < y:
        x, y = y, x
    if y == -math.inf:
        return x
    return x + math.log1p(math.exp(y - x))


def _log_inv_erlang_b(agents: int, load: float) -> float:
    """Return ``-log B(agents, load)`` = ``log sum_{k<=n} n!/k! * load**(k-n)``.

    Uses the recurrence ``1/B(n) = 1 + (n/a) / B(n-1)`` in log space, which neither
    overflows nor underflows (``B`` itself underflows when ``load << agents``).
    """
    if agents == 0:
        return 0.0
    if load == 0.0:
        return math.inf
    log_a = math.log(load)
    acc = 0.0
    for k in range(1, agents + 1):
        acc = _logaddexp(0.0, math.log(k) - log_a + acc)
    return acc


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

    Since ``P(K <= j) = 1 - I_x(j+1, b)`` (regularized incomplete beta), this gives the
    distribution of the sum of ``j + 1`` independent exponentials with rates
    ``theta*(b + i)``, ``i = 0..j``, evaluated at ``t`` with ``x = 1 - exp(-theta*t)``.
    Terms are formed in log space, so nothing under- or overflows.
    """
    k = np.arange(1, jmax + 1, dtype=float)
    log_binom = np.concatenate(([0.0], np.cumsum(np.log1p((b - 1.0) / k))))
    kk = np.arange(0, jmax + 1, dtype=float)
    log_pmf = b * log_1mx + kk * log_x + log_binom
    return np.minimum(np.cumsum(np.exp(log_pmf)), 1.0)


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
    b = 1.0
    for k in range(1, n + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


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
    if a >= n:
        return 1.0
    if a == 0.0:
        return 0.0
    b = erlang_b(n, a)
    rho = a / n
    return b / (1.0 - rho + rho * b)


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
    c = erlang_c(n, a)
    asa = erlang_c_asa(n, lam, h)
    sl = erlang_c_service_level(n, lam, h, t)
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

    log_low = _log_inv_erlang_b(n, a)  # log sum_{k<=n} pi_k / pi_n
    log_q = _queue_log_weights(lam, nmu, theta, log_low)  # j = 0..J
    jmax = log_q.size - 1
    top = max(log_low, float(log_q.max()))
    log_z = top + math.log(math.exp(log_low - top) + float(np.exp(log_q[1:] - top).sum()))
    w = np.exp(log_q - log_z)  # pi_{n+j}, j = 0..J
    j = np.arange(jmax + 1, dtype=float)

    p_wait = float(w.sum())
    # P(V = 0) = sum_{k<n} pi_k = pi_n (1/B - 1), without cancellation
    p_now = math.exp(log_low + _log1mexp(log_low) - log_z) if log_low > 0 else 0.0
    p_answer_j = r / (r + j + 1.0)
    p_abandon = float(np.dot(w, (j + 1.0) / (r + j + 1.0)))
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
