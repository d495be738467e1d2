"""Private helpers shared by :mod:`ccsim.erlang` and :mod:`ccsim.erlang.abandonment`.

Argument checks that name the offending argument, log-space arithmetic, and the bare
Erlang B / Erlang C recurrences without argument checks. They sit below both public
modules so that :mod:`ccsim.erlang` can re-export the Erlang A functions while
:mod:`ccsim.erlang.abandonment` still reuses Erlang B and C, without an import cycle. Nothing here
is public API: import the formulas from :mod:`ccsim.erlang`.
"""

from __future__ import annotations

import math
import operator

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
# log-space helpers
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


# --------------------------------------------------------------------------------------
# Erlang B and C kernels (arguments already checked)
# --------------------------------------------------------------------------------------


def _erlang_b_value(n: int, a: float) -> float:
    """Return Erlang B ``B(n, a)`` by the recurrence ``B(k) = a B(k-1) / (k + a B(k-1))``."""
    b = 1.0
    for k in range(1, n + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def _erlang_c_value(n: int, a: float) -> float:
    """Return Erlang C ``C(n, a) = B / (1 - rho (1 - B))``; ``1.0`` when ``a >= n``."""
    if a >= n:
        return 1.0
    if a == 0.0:
        return 0.0
    b = _erlang_b_value(n, a)
    rho = a / n
    return b / (1.0 - rho + rho * b)
