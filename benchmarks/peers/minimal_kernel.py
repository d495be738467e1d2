"""The floor for W1: a minimal single-skill numba kernel (FCFS, one heap of finish times).

It knows only one queue, exponential-free generic times and FCFS with abandonment
checked when an agent frees (lazy), which is what the workload sheet calls "a minimal
single-skill numba kernel (heap of agent finish times)". It is not a contact-centre
model; it says how far a general kernel is from the cheapest possible event loop.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def run(arrival, handle, patience, agents):  # pragma: no cover - benchmark peer
    """Return the number of answered calls."""
    n = arrival.shape[0]
    heap = np.empty(agents + 1)
    size = 0
    queue = np.empty(n, np.int64)
    head = 0
    tail = 0
    answered = 0
    busy = 0
    i = 0
    while i < n or size > 0:
        if i < n and (size == 0 or arrival[i] < heap[0]):
            if busy < agents:
                busy += 1
                answered += 1
                x = arrival[i] + handle[i]
                j = size
                size += 1
                while j > 0:
                    p = (j - 1) >> 1
                    if x < heap[p]:
                        heap[j] = heap[p]
                        j = p
                    else:
                        break
                heap[j] = x
            else:
                queue[tail] = i
                tail += 1
            i += 1
            continue
        now = heap[0]
        size -= 1
        last = heap[size]
        j = 0
        while True:
            c = 2 * j + 1
            if c >= size:
                break
            if c + 1 < size and heap[c + 1] < heap[c]:
                c += 1
            if heap[c] < last:
                heap[j] = heap[c]
                j = c
            else:
                break
        heap[j] = last
        busy -= 1
        while head < tail:
            k = queue[head]
            head += 1
            if arrival[k] + patience[k] >= now:
                busy += 1
                answered += 1
                x = now + handle[k]
                j = size
                size += 1
                while j > 0:
                    p = (j - 1) >> 1
                    if x < heap[p]:
                        heap[j] = heap[p]
                        j = p
                    else:
                        break
                heap[j] = x
                break
    return answered
