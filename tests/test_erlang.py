"""Tests for ccsim.erlang against independent oracles.

Oracles used here never share code with the module under test:

* exact rational arithmetic (``fractions``) for textbook Erlang B / C values;
* the stationary distribution of the truncated birth-death CTMC, obtained by a dense
  linear solve of ``pi Q = 0`` (numpy), for M/M/c/c, M/M/c/K, M/M/c and M/M/n+M;
* for Erlang A waiting-time quantities, numerical integration (scipy.integrate.quad) of
  the virtual-waiting-time density ``f_V(x) = n mu pi_n exp(lambda H(x) - n mu x)``,
  ``H(x) = (1 - exp(-theta x)) / theta`` (Baccelli & Hebuterne; Mandelbaum & Zeltyn),
  with the actual wait ``min(V, tau)``;
* the incomplete-gamma closed forms of Garnett, Mandelbaum & Reiman for large systems;
* a small exact discrete-event Monte Carlo of M/M/n+M with batch-means error bars.
"""

from __future__ import annotations

import heapq
import math
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from ccsim.erlang import (
    ErlangAResult,
    erlang_a,
    erlang_a_agents,
    erlang_b,
    erlang_c,
    erlang_c_agents,
    erlang_c_asa,
    erlang_c_service_level,
    halfin_whitt_beta,
    mmck_blocking,
    mmck_metrics,
    square_root_staffing,
)

REL = 1e-9


def close(x: float, y: float, rel: float = REL, abs_: float = 1e-15) -> bool:
    return math.isclose(x, y, rel_tol=rel, abs_tol=abs_)


# --------------------------------------------------------------------------------------
# oracles
# --------------------------------------------------------------------------------------


def ctmc_stationary(birth: np.ndarray, death: np.ndarray) -> np.ndarray:
    """Stationary law of a finite CTMC on 0..N by a dense solve of pi Q = 0, sum pi = 1.

    ``birth[k]`` is the rate k -> k+1 (k = 0..N-1), ``death[k]`` the rate k -> k-1
    (k = 1..N; ``death[0]`` is ignored).
    """
    size = len(death)
    q = np.zeros((size, size))
    for k in range(size - 1):
        q[k, k + 1] = birth[k]
    for k in range(1, size):
        q[k, k - 1] = death[k]
    q -= np.diag(q.sum(axis=1))
    a = q.T.copy()
    a[-1, :] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    pi = np.linalg.solve(a, rhs)
    assert np.all(pi > -1e-14)
    return np.clip(pi, 0.0, None)


def oracle_erlang_a_states(n: int, lam: float, h: float, patience: float, extra: int):
    """CTMC of M/M/n+M truncated at n + extra waiting contacts."""
    mu, theta = 1.0 / h, 1.0 / patience
    size = n + extra + 1
    k = np.arange(size, dtype=float)
    birth = np.full(size - 1, lam)
    death = np.minimum(k, n) * mu + np.maximum(k - n, 0.0) * theta
    # truncation is harmless: pi_{n+extra} / pi_n = prod lambda / (n mu + i theta) is tiny
    i = np.arange(1, extra + 1)
    assert np.sum(np.log(lam / (n * mu + i * theta))) < -60.0
    return ctmc_stationary(birth, death)


def product_form_erlang_a(n: int, lam: float, h: float, patience: float, extra: int):
    """M/M/n+M stationary law from detailed balance in 50-digit decimal arithmetic.

    pi_{k+1} / pi_k = lambda / (min(k+1, n) mu + max(k+1-n, 0) theta). Used where the
    dense solve is not precise enough (tiny pi_n in overload).
    """
    with localcontext() as ctx:
        ctx.prec = 50
        lam_d, mu, theta = Decimal(lam), 1 / Decimal(h), 1 / Decimal(patience)
        weights = [Decimal(1)]
        for k in range(1, n + extra + 1):
            death = min(k, n) * mu + max(k - n, 0) * theta
            weights.append(weights[-1] * lam_d / death)
        total = sum(weights)
        return np.array([float(w / total) for w in weights])


def exact_erlang_b(n: int, a: Fraction) -> Fraction:
    terms = [a**k / math.factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def exact_erlang_c(n: int, a: Fraction) -> Fraction:
    terms = [a**k / math.factorial(k) for k in range(n)]
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(terms) + top)


class VirtualWait:
    """Integral oracle for M/M/n+M waiting times from the virtual-wait density.

    ``pi_n`` and ``P(V = 0)`` come from the CTMC; everything else from quad.
    """

    def __init__(self, n: int, lam: float, h: float, patience: float, pi: np.ndarray):
        self.n, self.lam, self.mu, self.theta = n, lam, 1.0 / h, 1.0 / patience
        self.pi_n = pi[n]
        self.p_now = float(pi[:n].sum())
        self.big_a = lam / self.theta
        self.r = n * self.mu / self.theta
        # split points for quad: the mode of f_V, then widening steps until f_V is
        # negligible (beyond ``upper`` every integrand used here is below e^-90 f_V(mode))
        nmu = n * self.mu
        mode = math.log(lam / nmu) / self.theta if lam > nmu else 0.0
        step = min(1.0 / math.sqrt(nmu * self.theta), 1.0 / abs(nmu - lam) if lam != nmu else 1e300)
        top = self.log_density(mode)
        self.points = [0.0, mode]
        x = mode
        while self.log_density(x) > top - 90.0 or x < 50.0 / self.theta:
            x += step
            step *= 1.5
            self.points.append(x)

    def log_density(self, x: float) -> float:
        # f_V(x) = n mu pi_n exp(lambda (1 - e^{-theta x}) / theta - n mu x)
        return (
            math.log(self.n * self.mu * self.pi_n)
            + self.big_a * (-math.expm1(-self.theta * x))
            - self.n * self.mu * x
        )

    def density(self, x: float) -> float:
        return math.exp(self.log_density(x))

    def survival(self, s: float) -> float:
        """P(V > s) from the incomplete-gamma form of the integral of f_V."""
        r, big_a = self.r, self.big_a
        lower = special.gammainc(r, big_a * math.exp(-self.theta * s))
        if lower == 0.0:  # underflow far in the tail
            return 0.0
        log_val = (
            math.log(self.pi_n)
            + special.gammaln(r + 1.0)
            + big_a
            - r * math.log(big_a)
            + math.log(lower)
        )
        return math.exp(log_val)

    def quad(self, f, lo: float, hi: float) -> float:
        hi = min(hi, self.points[-1])
        cuts = [lo] + [p for p in self.points if lo < p < hi] + [hi]
        total = 0.0
        for a, b in pairwise(cuts):
            val, _ = integrate.quad(f, a, b, epsabs=1e-16, epsrel=1e-13, limit=200)
            total += val
        return total

    def measures(self, t: float) -> dict[str, float]:
        th = self.theta
        ans_within = self.p_now + self.quad(lambda x: self.density(x) * math.exp(-th * x), 0, t)
        p_answer = self.p_now + self.quad(
            lambda x: self.density(x) * math.exp(-th * x), 0, math.inf
        )
        ab_within = self.quad(lambda s: th * math.exp(-th * s) * self.survival(s), 0, t)
        asa = self.quad(lambda x: x * self.density(x) * math.exp(-th * x), 0, math.inf)
        mean_wait = self.quad(lambda s: math.exp(-th * s) * self.survival(s), 0, math.inf)
        p_wait = self.quad(self.density, 0, math.inf)
        return {
            "p_wait": p_wait,
            "p_abandon": 1.0 - p_answer,
            "service_level": ans_within,
            "service_level_answered": ans_within / p_answer,
            "service_level_excl_short_abandons": ans_within / (1.0 - ab_within),
            "p_abandon_within": ab_within,
            "asa": asa / p_answer,
            "mean_wait": mean_wait,
        }


def simulate_mmn_m(n, lam, h, patience, t, customers, seed, batches=40):
    """Exact M/M/n+M FCFS simulation; batch means of the Erlang-A measures.

    A contact's offered wait is the time until the earliest agent frees up after all
    earlier contacts that stay have been assigned; abandoners never take an agent.
    """
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / lam, customers)).tolist()
    service = rng.exponential(h, customers).tolist()
    pat = rng.exponential(patience, customers).tolist()
    free = [0.0] * n
    waited = np.zeros(customers, dtype=bool)
    answered = np.zeros(customers, dtype=bool)
    wait = np.zeros(customers)
    for i in range(customers):
        arr = arrivals[i]
        first = free[0]
        v = first - arr if first > arr else 0.0
        if v <= pat[i]:
            answered[i] = True
            wait[i] = v
            heapq.heapreplace(free, arr + v + service[i])
        else:
            wait[i] = pat[i]
        waited[i] = v > 0.0
    warm = customers // 20
    idx = np.array_split(np.arange(warm, customers), batches)
    rows = []
    for b in idx:
        ans, wt = answered[b], wait[b]
        ans_within = ans & (wt <= t)
        ab_within = ~ans & (wt <= t)
        rows.append(
            {
                "p_wait": waited[b].mean(),
                "p_abandon": 1.0 - ans.mean(),
                "service_level": ans_within.mean(),
                "service_level_answered": ans_within.sum() / ans.sum(),
                "p_abandon_within": ab_within.mean(),
                "asa": wt[ans].mean(),
                "mean_wait": wt.mean(),
            }
        )
    out = {}
    for key in rows[0]:
        vals = np.array([row[key] for row in rows])
        out[key] = (vals.mean(), vals.std(ddof=1) / math.sqrt(len(vals)))
    return out


# --------------------------------------------------------------------------------------
# Erlang B / C: textbook values
# --------------------------------------------------------------------------------------


def test_erlang_b_textbook():
    assert erlang_b(10, 5.0) == pytest.approx(0.018384570, rel=1e-7)
    assert erlang_b(1, 1.0) == 0.5
    assert erlang_b(0, 7.0) == 1.0
    assert erlang_b(5, 0.0) == 0.0
    for n, a in [(10, Fraction(5)), (3, Fraction(1, 2)), (20, Fraction(15)), (30, Fraction(41))]:
        assert close(erlang_b(n, float(a)), float(exact_erlang_b(n, a)), rel=1e-13)


def test_erlang_c_textbook():
    assert erlang_c(10, 8.0) == pytest.approx(0.4091801, rel=1e-6)
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0, rel=1e-14)
    for n, a in [(10, Fraction(8)), (3, Fraction(5, 2)), (25, Fraction(20)), (7, Fraction(1, 3))]:
        assert close(erlang_c(n, float(a)), float(exact_erlang_c(n, a)), rel=1e-13)
    assert erlang_c(5, 5.0) == 1.0
    assert erlang_c(5, 6.0) == 1.0
    assert erlang_c(0, 0.0) == 1.0
    assert erlang_c(3, 0.0) == 0.0


def test_erlang_c_asa_and_service_level_closed_forms():
    lam, h, n, t = 8 / 180, 180.0, 10, 20.0
    c = float(exact_erlang_c(n, Fraction(8)))
    assert close(erlang_c_asa(n, lam, h), c * h / (n - 8.0), rel=1e-12)
    assert close(erlang_c_service_level(n, lam, h, t), 1 - c * math.exp(-2 * t / h), rel=1e-12)
    assert erlang_c_service_level(n, lam, h, 0.0) == pytest.approx(1 - c, rel=1e-12)
    assert erlang_c_service_level(n, lam, h, math.inf) == 1.0
    assert erlang_c_asa(8, lam, h) == math.inf
    assert erlang_c_service_level(8, lam, h, t) == 0.0
    assert erlang_c_asa(3, 0.0, h) == 0.0


# --------------------------------------------------------------------------------------
# CTMC oracle: M/M/c/c, M/M/c/K, M/M/c
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n,a", [(1, 0.3), (5, 3.0), (12, 15.0), (40, 30.5)])
def test_erlang_b_vs_ctmc(n, a):
    k = np.arange(n + 1, dtype=float)
    pi = ctmc_stationary(np.full(n, a), k)  # mu = 1
    assert close(erlang_b(n, a), pi[-1])
    assert close(mmck_blocking(n, n, a), pi[-1])


@pytest.mark.parametrize(
    "n,cap,lam,h",
    [
        (1, 1, 0.5, 1.0),
        (3, 8, 2.0, 1.0),  # rho < 1
        (3, 8, 3.0, 1.0),  # rho = 1 exactly
        (3, 8, 3.0 * (1 + 1e-6), 1.0),  # rho next to 1 (series branch)
        (4, 30, 6.0, 1.0),  # rho > 1
        (10, 60, 1 / 60, 540.0),  # rho = 0.9, seconds
        (2, 400, 1.0, 1.999),  # long waiting room
    ],
)
def test_mmck_vs_ctmc(n, cap, lam, h):
    k = np.arange(cap + 1, dtype=float)
    pi = ctmc_stationary(np.full(cap, lam), np.minimum(k, n) / h)
    p_block = pi[-1]
    p_wait = pi[n:cap].sum()
    lq = float(np.dot(np.maximum(k - n, 0.0), pi))
    m = mmck_metrics(n, cap, lam, h)
    assert set(m) == {"p_block", "p_wait", "mean_wait", "occupancy"}
    assert close(m["p_block"], p_block)
    assert close(mmck_blocking(n, cap, lam * h), p_block)
    assert close(m["p_wait"], p_wait)
    assert close(m["mean_wait"], lq / (lam * (1 - p_block)))
    busy = float(np.dot(np.minimum(k, n), pi))
    assert close(m["occupancy"], busy / n)


def test_mmck_limits():
    # K = n is Erlang B; K -> inf is Erlang C
    assert mmck_blocking(7, 7, 5.5) == erlang_b(7, 5.5)
    m = mmck_metrics(10, 2000, 8 / 180, 180.0)
    assert m["p_block"] < 1e-150
    assert close(m["p_wait"], erlang_c(10, 8.0), rel=1e-12)
    assert close(m["mean_wait"], erlang_c_asa(10, 8 / 180, 180.0), rel=1e-12)
    assert close(m["occupancy"], 0.8, rel=1e-12)
    # heavy overload: almost everything blocked, agents always busy
    m = mmck_metrics(5, 10_000, 100.0, 1.0)
    assert close(m["p_block"], 0.95, rel=1e-12)
    assert close(m["occupancy"], 1.0, rel=1e-12)
    assert mmck_blocking(0, 5, 1.0) == 1.0


@pytest.mark.parametrize("n,a", [(1, 0.5), (10, 8.0), (30, 27.0), (50, 20.0)])
def test_erlang_c_vs_ctmc(n, a):
    extra = math.ceil(40.0 / -math.log(a / n))  # rho^extra = e^-40
    size = n + extra + 1
    k = np.arange(size, dtype=float)
    pi = ctmc_stationary(np.full(size - 1, a), np.minimum(k, n))  # mu = 1, h = 1
    assert close(erlang_c(n, a), pi[n:].sum())
    lq = float(np.dot(np.maximum(k - n, 0), pi))
    assert close(erlang_c_asa(n, a, 1.0), lq / a)


# --------------------------------------------------------------------------------------
# Erlang A: state quantities vs CTMC, wait distribution vs quad
# --------------------------------------------------------------------------------------

ERLANG_A_CASES = [
    # n, lam, h, patience, threshold, queue states kept in the CTMC
    (3, 1.0, 2.0, 1.5, 0.7, 150),  # light load
    (5, 4.0, 2.0, 3.0, 1.0, 250),  # overloaded: a = 8 > 5
    (1, 0.2, 10.0, 2.0, 1.5, 150),  # r = n mu / theta = 0.2 < 1
    (20, 1 / 9, 180.0, 120.0, 20.0, 300),  # a = 20 = n
    (12, 1.0, 15.0, 600.0, 30.0, 900),  # a = 15, long patience, heavy queue
    (190, 1.0, 180.0, 300.0, 20.0, 400),  # workload W1
]


@pytest.fixture(scope="module")
def erlang_a_oracles():
    out = {}
    for n, lam, h, pat, t, extra in ERLANG_A_CASES:
        pi = oracle_erlang_a_states(n, lam, h, pat, extra)
        out[(n, lam, h, pat, t)] = pi
    return out


@pytest.mark.parametrize("case", ERLANG_A_CASES, ids=lambda c: f"n{c[0]}-lam{c[1]:.3g}")
def test_erlang_a_states_vs_ctmc(case, erlang_a_oracles):
    n, lam, h, pat, t, _ = case
    pi = erlang_a_oracles[(n, lam, h, pat, t)]
    k = np.arange(pi.size, dtype=float)
    lq = float(np.dot(np.maximum(k - n, 0.0), pi))
    busy = float(np.dot(np.minimum(k, n), pi))
    res = erlang_a(n, lam, h, pat, t)
    assert isinstance(res, ErlangAResult)
    assert close(res.p_wait, pi[n:].sum())
    # abandonment rate theta E[Lq] equals lambda p_abandon
    assert close(res.p_abandon, lq / pat / lam)
    assert close(res.mean_wait, lq / lam)  # Little's law on the queue
    assert close(res.occupancy, busy / n)  # carried load / agents
    assert close(res.occupancy, lam * (1 - res.p_abandon) * h / n, rel=1e-12)


@pytest.mark.parametrize("case", ERLANG_A_CASES, ids=lambda c: f"n{c[0]}-lam{c[1]:.3g}")
def test_erlang_a_waits_vs_virtual_wait_integrals(case, erlang_a_oracles):
    n, lam, h, pat, t, _ = case
    pi_lu = erlang_a_oracles[(n, lam, h, pat, t)]
    pi = product_form_erlang_a(n, lam, h, pat, len(pi_lu) - n - 1)
    np.testing.assert_allclose(pi, pi_lu, rtol=0, atol=1e-14)  # the two oracles agree
    vw = VirtualWait(n, lam, h, pat, pi)
    # the density integrates to the CTMC probability of waiting and V's survival agrees
    ref = vw.measures(t)
    assert close(ref["p_wait"], pi[n:].sum(), rel=1e-9)
    s = 0.37 * h
    assert close(vw.survival(s), vw.quad(vw.density, s, math.inf), rel=1e-9)
    res = erlang_a(n, lam, h, pat, t)
    for key, val in ref.items():
        assert close(getattr(res, key), val, rel=1e-10, abs_=1e-14), key


def test_erlang_a_w1_reference_values():
    r = erlang_a(190, arrival_rate=1.0, mean_handle=180.0, mean_patience=300.0, threshold=20.0)
    assert round(r.service_level, 5) == 0.96677
    assert round(r.p_abandon, 6) == 0.007933
    assert round(r.asa, 3) == 2.336
    assert round(r.occupancy, 5) == 0.93985
    assert round(r.p_wait, 4) == 0.2621


def test_erlang_a_vs_monte_carlo():
    n, lam, h, pat, t = 3, 2.4, 1.0, 2.0, 0.5
    sim = simulate_mmn_m(n, lam, h, pat, t, customers=200_000, seed=20240607)
    res = erlang_a(n, lam, h, pat, t)
    for key, (mean, se) in sim.items():
        exact = getattr(res, key)
        assert se > 0
        assert abs(mean - exact) < 4.5 * se, (key, mean, se, exact)


def test_erlang_a_limits():
    # infinite patience is Erlang C exactly; very long patience converges to it
    lam, h, n, t = 8 / 180, 180.0, 10, 20.0
    c_sl = erlang_c_service_level(n, lam, h, t)
    c_asa = erlang_c_asa(n, lam, h)
    exact = erlang_a(n, lam, h, math.inf, t)
    assert exact.p_wait == erlang_c(n, 8.0)
    assert exact.service_level == c_sl and exact.asa == c_asa and exact.p_abandon == 0.0
    errors = []
    for patience in (1e6, 1e8, 1e10):
        far = erlang_a(n, lam, h, patience, t)
        errors.append(abs(far.asa / c_asa - 1))
        assert far.p_wait == pytest.approx(erlang_c(n, 8.0), rel=1e3 / patience)
        assert far.service_level == pytest.approx(c_sl, rel=1e3 / patience)
        assert far.asa == pytest.approx(c_asa, rel=1e4 / patience)
        assert far.p_abandon < 1e3 / patience
    # the gap closes like 1 / patience
    assert errors[1] == pytest.approx(errors[0] / 100, rel=0.01)
    assert errors[2] == pytest.approx(errors[1] / 100, rel=0.01)
    unstable = erlang_a(n, 12 / 180, h, math.inf, t)
    assert unstable.p_wait == 1.0 and unstable.asa == math.inf and unstable.service_level == 0
    # threshold 0: only contacts answered at once count
    for case in ERLANG_A_CASES:
        n, lam, h, pat, _, _ = case
        zero = erlang_a(n, lam, h, pat, 0.0)
        assert close(zero.service_level, 1.0 - zero.p_wait, rel=1e-12, abs_=1e-14)
        assert zero.p_abandon_within == 0.0
        assert close(zero.service_level_excl_short_abandons, zero.service_level, rel=1e-15)
        # threshold inf: every answered contact counts
        inf = erlang_a(n, lam, h, pat, math.inf)
        assert close(inf.service_level, 1.0 - inf.p_abandon, rel=1e-12)
        assert close(inf.p_abandon_within, inf.p_abandon, rel=1e-12)
        # a huge finite threshold agrees with the infinite one
        big = erlang_a(n, lam, h, pat, 1e4 * (h + pat))
        assert close(big.service_level, inf.service_level, rel=1e-10)
        assert close(big.p_abandon_within, inf.p_abandon_within, rel=1e-10)


def test_erlang_a_degenerate_inputs():
    none = erlang_a(4, 0.0, 10.0, 5.0, 2.0)
    assert none.p_wait == 0.0 and none.service_level == 1.0 and none.occupancy == 0.0
    nobody = erlang_a(0, 1.0, 10.0, 5.0, 2.0)
    assert nobody.p_abandon == 1.0 and nobody.service_level == 0.0
    assert nobody.mean_wait == 5.0
    assert nobody.p_abandon_within == pytest.approx(1 - math.exp(-2.0 / 5.0), rel=1e-14)
    assert math.isnan(nobody.asa)
    with pytest.raises(AttributeError):
        none.p_wait = 0.5  # frozen


# --------------------------------------------------------------------------------------
# large systems: stability, monotonicity, closed-form oracles
# --------------------------------------------------------------------------------------


def log_inv_erlang_b_scipy(n: int, a: float) -> float:
    # 1/B = P(Poisson(a) <= n) / P(Poisson(a) = n)
    return float(stats.poisson.logcdf(n, a) - stats.poisson.logpmf(n, a))


def gmr_closed_form(n: int, lam: float, h: float, patience: float) -> tuple[float, float]:
    """P(wait>0), P(abandon) of M/M/n+M from incomplete gamma functions (GMR 2002)."""
    mu, theta = 1.0 / h, 1.0 / patience
    big_a, r = lam / theta, n * mu / theta
    # S = sum_{j>=0} pi_{n+j} / pi_n = r e^A A^-r gamma(r, A)
    log_s = (
        math.log(r)
        + special.gammaln(r)
        + big_a
        - r * math.log(big_a)
        + math.log(special.gammainc(r, big_a))
    )
    s = math.exp(log_s)
    inv_b = math.exp(log_inv_erlang_b_scipy(n, lam * h))
    pi_n = 1.0 / (inv_b - 1.0 + s)
    # balance of the queue part: sum_j j q_j = (lam S - n mu (S - 1)) / theta
    p_abandon = pi_n * (lam * s - n * mu * (s - 1.0)) / lam
    return pi_n * s, p_abandon


@pytest.mark.parametrize("n,load", [(5000, 4900.0), (5000, 6000.0), (2000, 1990.0)])
def test_large_systems_match_closed_forms(n, load):
    h, pat = 180.0, 300.0
    lam = load / h
    b = erlang_b(n, load)
    assert close(b, math.exp(-log_inv_erlang_b_scipy(n, load)), rel=1e-10)
    res = erlang_a(n, lam, h, pat, 20.0)
    p_wait, p_abandon = gmr_closed_form(n, lam, h, pat)
    assert close(res.p_wait, p_wait, rel=1e-8)
    assert close(res.p_abandon, p_abandon, rel=1e-7)
    for v in (
        res.p_wait,
        res.p_abandon,
        res.service_level,
        res.service_level_answered,
        res.service_level_excl_short_abandons,
        res.p_abandon_within,
        res.occupancy,
    ):
        assert math.isfinite(v) and 0.0 <= v <= 1.0
    assert math.isfinite(res.asa) and math.isfinite(res.mean_wait)
    if load < n:
        c = erlang_c(n, load)
        rho = load / n
        assert close(c, b / (1 - rho + rho * b), rel=1e-12)
        assert 0.0 < c < 1.0
        m = mmck_metrics(n, n + 500, lam, h)
        assert all(math.isfinite(v) and v >= 0 for v in m.values())
        assert 0 <= m["p_block"] <= m["p_wait"] + m["p_block"] <= 1


def test_extreme_inputs_are_finite():
    assert 0.0 <= erlang_b(5000, 1.0) < 1e-300  # underflows gracefully
    assert erlang_b(10, 1e6) == pytest.approx(1.0, abs=1e-4)
    assert erlang_c(5000, 1.0) == 0.0
    assert 0 < mmck_blocking(5000, 6000, 4999.9) < 1
    assert mmck_blocking(5000, 6000, 1e5) == pytest.approx(1 - 5000 / 1e5, rel=1e-12)
    res = erlang_a(8000, 60.0, 180.0, 30.0, 20.0)  # 10800 Erlangs on 8000 agents
    assert 0.2 < res.p_abandon < 0.3
    assert res.occupancy == pytest.approx(1.0, abs=1e-6)
    res = erlang_a(100, 0.01, 180.0, 300.0, 20.0)  # nearly idle
    assert res.p_wait < 1e-100 and res.service_level == pytest.approx(1.0, abs=1e-15)


def test_monotone_in_agents():
    load, h, pat, t = 4900.0, 180.0, 300.0, 20.0
    lam = load / h
    ns = list(range(4850, 5101, 25))
    b = [erlang_b(n, load) for n in ns]
    c = [erlang_c(n, load) for n in ns]
    k = [mmck_blocking(n, n + 50, load) for n in ns]
    a = [erlang_a(n, lam, h, pat, t) for n in ns]
    assert np.all(np.diff(b) < 0)
    assert np.all(np.diff(c) <= 0)
    assert np.all(np.diff(k) < 0)
    assert np.all(np.diff([x.p_wait for x in a]) < 0)
    assert np.all(np.diff([x.p_abandon for x in a]) < 0)
    assert np.all(np.diff([x.service_level for x in a]) > 0)
    assert np.all(np.diff([x.asa for x in a]) < 0)


# --------------------------------------------------------------------------------------
# staffing
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lam,h,t,target",
    [
        (1.0, 180.0, 20.0, 0.8),
        (0.05, 300.0, 30.0, 0.9),
        (2.0, 60.0, 0.0, 0.5),
        (0.001, 10, 5, 0.99),
    ],
)
def test_erlang_c_agents_brute_force(lam, h, t, target):
    n = 0
    while erlang_c_service_level(n, lam, h, t) < target:
        n += 1
    assert erlang_c_agents(lam, h, t, target) == n


@pytest.mark.parametrize(
    "lam,h,pat,t,target,max_ab",
    [
        (1.0, 180.0, 300.0, 20.0, 0.8, None),
        (1.0, 180.0, 300.0, 20.0, 0.8, 0.001),  # abandonment ceiling binds
        (0.1, 120.0, 60.0, 10.0, 0.7, None),
        (0.1, 120.0, 60.0, 10.0, 0.3, 0.05),
        (0.02, 300.0, 30.0, 0.0, 0.9, None),
    ],
)
def test_erlang_a_agents_brute_force(lam, h, pat, t, target, max_ab):
    def ok(n):
        r = erlang_a(n, lam, h, pat, t)
        return r.service_level >= target and (max_ab is None or r.p_abandon <= max_ab)

    n = 0
    while not ok(n):
        n += 1
    assert erlang_a_agents(lam, h, pat, t, target, max_abandon=max_ab) == n


def test_staffing_examples():
    assert erlang_c_agents(1.0, 180.0, 20.0, 0.8) == 188
    assert erlang_a_agents(1.0, 180.0, 300.0, 20.0, 0.8) == 179
    assert erlang_a_agents(1.0, 180.0, math.inf, 20.0, 0.8) == 188
    assert erlang_c_agents(0.0, 180.0, 20.0, 0.8) == 0
    assert erlang_a_agents(0.0, 180.0, 300.0, 20.0, 0.8) == 0


def test_halfin_whitt_beta_and_square_root_staffing():
    for p in (0.9, 0.5, 0.2, 0.05, 1e-6):
        beta = halfin_whitt_beta(p)
        ratio = beta * stats.norm.cdf(beta) / stats.norm.pdf(beta)
        assert close(1.0 / (1.0 + ratio), p, rel=1e-12)
        ref = optimize.brentq(
            lambda b, p=p: 1 / (1 + b * stats.norm.cdf(b) / stats.norm.pdf(b)) - p,
            0.0,
            20.0,
            xtol=1e-15,
        )
        assert beta == pytest.approx(ref, abs=1e-12)
    beta = halfin_whitt_beta(0.2)
    n = square_root_staffing(180.0, beta)
    assert n == math.ceil(180.0 + beta * math.sqrt(180.0)) == 195
    # in the QED regime the Erlang C probability of waiting is close to the target
    assert erlang_c(n, 180.0) == pytest.approx(0.2, abs=0.03)
    exact_n = next(k for k in range(181, 400) if erlang_c(k, 180.0) <= 0.2)
    assert abs(n - exact_n) <= 1
    assert square_root_staffing(100.0, 1.0) == 110
    assert square_root_staffing(100.0, -1.0) == 90
    assert square_root_staffing(0.0, 2.0) == 0
    assert square_root_staffing(1.0, -5.0) == 0


# --------------------------------------------------------------------------------------
# argument validation
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: erlang_b(-1, 1.0), "agents"),
        (lambda: erlang_b(2.5, 1.0), "agents"),
        (lambda: erlang_b(True, 1.0), "agents"),
        (lambda: erlang_b(3, -1.0), "load"),
        (lambda: erlang_b(3, math.nan), "load"),
        (lambda: erlang_b(3, math.inf), "load"),
        (lambda: erlang_c(3, -0.5), "load"),
        (lambda: mmck_blocking(3, 2, 1.0), "capacity"),
        (lambda: mmck_blocking(3, -4, 1.0), "capacity"),
        (lambda: mmck_metrics(0, 2, 1.0, 1.0), "agents"),
        (lambda: mmck_metrics(2, 4, -1.0, 1.0), "arrival_rate"),
        (lambda: mmck_metrics(2, 4, 1.0, 0.0), "mean_handle"),
        (lambda: erlang_c_asa(2, 1.0, -3.0), "mean_handle"),
        (lambda: erlang_c_service_level(2, 1.0, 1.0, -1.0), "threshold"),
        (lambda: erlang_a(2, 1.0, 1.0, 0.0), "mean_patience"),
        (lambda: erlang_a(2, 1.0, 1.0, -2.0), "mean_patience"),
        (lambda: erlang_a(2, 1.0, 1.0, 1.0, -0.1), "threshold"),
        (lambda: erlang_a(-2, 1.0, 1.0, 1.0), "agents"),
        (lambda: erlang_a(2, "x", 1.0, 1.0), "arrival_rate"),
        (lambda: erlang_c_agents(1.0, 1.0, 1.0, 1.0), "target"),
        (lambda: erlang_c_agents(1.0, 1.0, 1.0, 0.0), "target"),
        (lambda: erlang_a_agents(1.0, 1.0, 1.0, 1.0, 0.8, max_abandon=0.0), "max_abandon"),
        (lambda: erlang_a_agents(1.0, 1.0, 1.0, 1.0, 1.2), "target"),
        (lambda: square_root_staffing(-1.0, 1.0), "load"),
        (lambda: square_root_staffing(1.0, math.nan), "beta"),
        (lambda: halfin_whitt_beta(0.0), "target_p_wait"),
        (lambda: halfin_whitt_beta(1.0), "target_p_wait"),
    ],
)
def test_invalid_arguments_name_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_integral_floats_accepted_for_counts():
    assert erlang_b(10.0, 5.0) == erlang_b(10, 5.0)
    assert erlang_b(np.int64(10), 5.0) == erlang_b(10, 5.0)
