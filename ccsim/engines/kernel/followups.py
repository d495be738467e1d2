"""Follow-ups in the kernel: whether a lost contact's customer redials, and when.

A contact blocked or abandoned is redialled when its follow-up uniform falls below its
type's redial probability and its customer has redialled fewer times than allowed; the
redial arrives after the contact's unit delay times the type's mean delay in the
contact's arrival interval, if that is before the end of the horizon (as
:mod:`ccsim.engines.reference.centre` decides it). When a redial or a repeat contact
arrives, the event loop (:mod:`ccsim.engines.kernel.day`) adds it after the other
contacts, its variates the next entry of its type's follow-up pool
(:mod:`ccsim.followups`).
"""

from __future__ import annotations

from numba import njit

from ccsim.engines.codes import REDIALLED
from ccsim.engines.kernel.jit import JIT

__all__ = ["redial_delay"]


@njit(inline="always", **JIT)
def redial_delay(c, now, c_type, c_interval, c_follow_u, c_redial_u, c_redials, followed,
                 redial_p, redial_max, redial_mean, end):  # fmt: skip
    """A blocked or abandoned contact: the delay of its redial, or -1 for none.

    Marks it redialled when its customer decides to redial (even if the redial would
    come after the end of the horizon, when it is not made).
    """
    t = c_type[c]
    if c_redials[c] < redial_max[t] and c_follow_u[c] < redial_p[t]:
        followed[c] = REDIALLED
        delay = c_redial_u[c] * redial_mean[t, c_interval[c]]
        if now + delay < end:
            return delay
    return -1.0
