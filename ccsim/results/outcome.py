"""What happened to the contacts of one replication: their fates and times.

Both engines produce an :class:`Outcome`: for every contact its fate (answered,
abandoned in the queue, blocked by lines or IVR ports, deflected or hung up in the
IVR, still unserved when the drain limit ran out, a callback the customer did not
answer, or balked: hung up at once on finding no idle agent), the group that answered
it, and
the times it asked for an agent, was answered, left and freed its agent; plus the log
of the staffed head count per group. KPIs are computed from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.streams import Contacts

__all__ = [
    "ABANDONED",
    "ANSWERED",
    "BALKED",
    "BLOCKED",
    "CALLBACK_ACCEPTED",
    "CALLBACK_DECLINED",
    "CALLBACK_MISSED",
    "DEFLECTED",
    "FATES",
    "IVR_ABANDONED",
    "NOT_FOLLOWED",
    "NO_CALLBACK",
    "Outcome",
    "REDIALLED",
    "TRANSFERRED",
    "UNRESOLVED",
    "PENDING",
    "UNSERVED",
]

# Fate of a contact (balked: it found no idle agent and hung up at once).
(PENDING, ANSWERED, ABANDONED, BLOCKED, DEFLECTED, IVR_ABANDONED, UNSERVED, CALLBACK_MISSED,
 BALKED) = range(9)  # fmt: skip
FATES = ("pending", "answered", "abandoned", "blocked", "deflected", "ivr_abandoned", "unserved",
         "callback_missed", "balked")  # fmt: skip
# Callback state of a contact (Outcome.callback): none offered, declined, accepted.
NO_CALLBACK, CALLBACK_DECLINED, CALLBACK_ACCEPTED = 0, 1, 2
# Follow-up decided for a contact (Outcome.followed): a redial after an abandonment, a
# block or a balk (made if due before the end of the horizon), a handled contact that
# left its customer unresolved (a repeat follows if due in time and within repeat.max),
# or one transferred on as another type.
NOT_FOLLOWED, REDIALLED, UNRESOLVED, TRANSFERRED = 0, 1, 2, 3


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
    # With follow-ups: every contact of the day, first contacts then follow-ups in the
    # order they were created (the arrays above cover them all), and what followed.
    contacts: Contacts | None = None
    followed: np.ndarray | None = None  # int8, NOT_FOLLOWED / REDIALLED / UNRESOLVED / ...
    # With callbacks: whether one was offered and accepted, and when it was accepted
    # (the customer then hung up and freed the line; nan otherwise).
    callback: np.ndarray | None = None  # int8, NO_CALLBACK / CALLBACK_DECLINED / _ACCEPTED
    callback_at: np.ndarray | None = None

    def all_contacts(self, first: Contacts) -> Contacts:
        """The contacts the arrays describe: ``first`` unless follow-ups were added."""
        return first if self.contacts is None else self.contacts
