"""What happened to the contacts of one replication: their fates and times.

Both engines produce an :class:`Outcome`: for every contact its fate (answered,
abandoned in the queue, blocked by lines or IVR ports, deflected or hung up in the
IVR, or still unserved when the drain limit ran out), the group that answered it, and
the times it asked for an agent, was answered, left and freed its agent; plus the log
of the staffed head count per group. KPIs are computed from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "ABANDONED",
    "ANSWERED",
    "BLOCKED",
    "DEFLECTED",
    "FATES",
    "IVR_ABANDONED",
    "Outcome",
    "PENDING",
    "UNSERVED",
]

# Fate of a contact.
PENDING, ANSWERED, ABANDONED, BLOCKED, DEFLECTED, IVR_ABANDONED, UNSERVED = range(7)
FATES = ("pending", "answered", "abandoned", "blocked", "deflected", "ivr_abandoned", "unserved")


@dataclass
class Outcome:
    """What happened to every contact of one replication, and the staffing log.

    Times are seconds; ``nan`` where a time does not apply (``answered`` for a contact
    never answered, ``group`` = -1 for one no agent took).
    """

    fate: np.ndarray  # int8, see FATES
    group: np.ndarray  # answering group or -1
    queued: np.ndarray  # time the contact asked for an agent (after the IVR)
    answered: np.ndarray  # time an agent answered
    left: np.ndarray  # time it left: end of talk, abandonment, block, end of IVR
    freed: np.ndarray  # time its agent finished wrap-up
    staff_time: np.ndarray  # (changes,) times at which a group's staffed count changed
    staff_group: np.ndarray
    staff_delta: np.ndarray  # +n / -n agents on the phones (breaks excluded)
