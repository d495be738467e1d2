"""How contacts reach agents, and how callers behave on the way (routing and behaviour).

Sections of a scenario beyond a plain routing order ("the first group with an idle
agent"), the questions Erlang formulas cannot answer:

* a routing order's group may get a type only after the contact has waited a while
  (:class:`Route`: ``{group: sales_team, after: 30s}``, overflow after a delay);
* a group may keep idle agents for one of its skills (:class:`Reserve`);
* a group may handle a type faster or slower than the type's handle time says, by a
  multiplier (:class:`HandleFactor`) or a distribution of its own;
* a caller's patience may be a mixture of shapes (:class:`Mixture`: some hang up
  quickly, the others wait long);
* a handled contact may be transferred on as another type (:class:`Transfer`).

Balking (hanging up at once when no agent is idle) and the ``priority_age`` policy's
head start and weight are plain keys of a contact type
(:class:`ccsim.scenario.model.ContactType`). How the engines apply these is in
docs/scenario-reference.md, "Routing and policies".
"""

from __future__ import annotations

import math
from typing import Annotated, Union

import numpy as np
from pydantic import Discriminator, Field, Tag, model_validator

from ccsim.scenario import limits
from ccsim.scenario.distributions import Distribution
from ccsim.scenario.units import Duration
from ccsim.scenario.values import Probability, Section, Weight

__all__ = ["PATIENCE", "GroupHandle", "HandleFactor", "Mixture", "MixtureComponent", "Patience",
           "Reserve", "Route", "RouteEntry", "Transfer"]  # fmt: skip


class Route(Section):
    """A group in a type's routing order that gets the type only after a wait.

    ``{group: sales_team, after: 30s}``: a contact of the type is offered to the group
    once it has waited ``after`` in its queue (overflow after a delay); ``after: 0s``
    is the group written as a plain name.
    """

    group: str = Field(min_length=1)
    after: Duration = 0.0


def _route_tag(value: object) -> str:
    return "route[]" if isinstance(value, dict | Route) else "str"


#: An entry of a routing order: a group's name, or ``{group: name, after: 30s}``.
RouteEntry = Annotated[
    Union[Annotated[str, Tag("str")], Annotated[Route, Tag("route[]")]],  # noqa: UP007
    Discriminator(_route_tag),
]


class MixtureComponent(Distribution):
    """One shape of a :class:`Mixture`: a distribution with a ``weight``.

    Its mean is one duration (a mixture's components do not vary by interval).
    """

    weight: Weight

    @model_validator(mode="after")
    def _one_mean(self) -> MixtureComponent:
        if isinstance(self.mean, list):
            raise ValueError("a mixture component takes one mean, not one per interval")
        return self


class Mixture(Section):
    """Patience as a mixture of shapes: each caller's patience from one component.

    A caller's component is drawn with probability weight / sum of weights, then its
    patience from that component (``{weight: 0.3, dist: exponential, mean: 20s}``: 30 %
    of callers hang up after 20 s on average). The draws stay common random numbers:
    the component choice and each component's draws come from streams of their own,
    seeded from the type's patience stream (:meth:`sample_unit`).
    """

    mixture: list[MixtureComponent] = Field(min_length=1, max_length=limits.MAX_NAMED)

    @model_validator(mode="after")
    def _weights(self) -> Mixture:
        if sum(c.weight for c in self.mixture) <= 0:
            raise ValueError("a mixture needs a component with a weight above 0")
        return self

    @property
    def dist(self) -> str:
        """``"mixture"`` (read like a :class:`Distribution`'s shape name)."""
        return "mixture"

    @property
    def mean(self) -> float:
        """The mixture's mean in seconds: the components' means, weighted."""
        weights = np.array([c.weight for c in self.mixture], dtype=float)
        means = np.array([c.means(1)[0] for c in self.mixture])
        return float(weights @ means / weights.sum())

    def means(self, intervals: int) -> np.ndarray:
        """The mixture's mean in every interval (it does not vary by interval)."""
        return np.full(intervals, self.mean)

    def shape_cv(self) -> float:
        """Coefficient of variation of the mixture."""
        weights = np.array([c.weight for c in self.mixture], dtype=float)
        weights /= weights.sum()
        means = np.array([c.means(1)[0] for c in self.mixture])
        second = np.array([(1 + c.shape_cv() ** 2) for c in self.mixture]) * means**2
        mean = float(weights @ means)
        return math.sqrt(max(float(weights @ second) - mean**2, 0.0)) / mean if mean else 0.0

    def sample_unit(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` patiences divided by the mixture's mean (unit mean).

        The first draws of ``rng`` seed one stream for the choice of component and one
        per component; the callers of a component take its values in order. So a
        longer draw starts with the same values (the follow-up pool grows that way),
        and a component's values do not depend on the other components' weights.
        """
        seeds = rng.integers(0, 2**63, size=len(self.mixture) + 1)
        weights = np.array([c.weight for c in self.mixture], dtype=float)
        means = np.array([c.means(1)[0] for c in self.mixture])
        cumulative = np.cumsum(weights) / weights.sum()
        pick = np.random.Generator(np.random.PCG64(int(seeds[0]))).random(n)
        which = np.minimum(np.searchsorted(cumulative, pick, side="right"), len(weights) - 1)
        out = np.empty(n)
        for i, component in enumerate(self.mixture):
            mine = which == i
            stream = np.random.Generator(np.random.PCG64(int(seeds[i + 1])))
            out[mine] = component.sample_unit(stream, int(mine.sum())) * means[i]
        out /= float(weights @ means / weights.sum())  # (self.mean)
        return out


def _patience_tag(value: object) -> str:
    if value is None:
        return "none"
    mixture = isinstance(value, Mixture) or (isinstance(value, dict) and "mixture" in value)
    return "mixture[]" if mixture else "dist[]"


#: A patience: one shape, a mixture of shapes, or none (the caller never hangs up).
#: The union's members are tagged and the field takes ``PATIENCE`` (a union whose
#: members are the models themselves, so that option paths such as
#: ``contact_types.sales.patience.mean`` find their key).
Patience = (
    Annotated[Mixture, Tag("mixture[]")]
    | Annotated[Distribution, Tag("dist[]")]
    | Annotated[None, Tag("none")]
)
PATIENCE = Field(default=None, discriminator=Discriminator(_patience_tag))


class Transfer(Section):
    """Transfers: a share of handled contacts continues as another contact type.

    At the end of its talk a contact is transferred with ``probability`` (its own
    uniform draw decides) and continues as a contact of type ``to``: it asks for an
    agent of that type at once (no IVR, no new trunk line: the call keeps its line),
    with that type's handle time, patience and queue. With ``stay: true`` the first
    agent stays on the line until the transferred contact is answered or leaves (a
    warm transfer), then does the first contact's wrap-up; with ``stay: false`` the
    first agent goes on to its wrap-up at once.
    """

    probability: Probability
    to: str = Field(min_length=1)
    stay: bool = False


class HandleFactor(Section):
    """A group's handle time for a type as the type's own times a ``multiplier``.

    ``{multiplier: 0.8}``: this group talks 20 % shorter with the type than its
    ``handle_time`` says (before the group's ``speed``).
    """

    multiplier: float = Field(gt=0, le=limits.MAX_FACTOR)


def _handle_tag(value: object) -> str:
    factor = isinstance(value, HandleFactor) or (isinstance(value, dict) and "multiplier" in value)
    return "multiplier[]" if factor else "dist[]"


#: A group's handle time for one type: a multiplier of the type's, or its own shape.
GroupHandle = Annotated[
    Union[Annotated[HandleFactor, Tag("multiplier[]")], Annotated[Distribution, Tag("dist[]")]],  # noqa: UP007
    Discriminator(_handle_tag),
]


class Reserve(Section):
    """Agent reservation: a group keeps ``agents`` idle agents for one of its skills.

    A contact of another type takes one of the group's agents only while more than
    ``agents`` of them are idle; contacts of ``skill`` (default: the group's first
    skill) take any idle agent.
    """

    agents: int = Field(ge=1, le=limits.MAX_AGENTS)
    skill: str | None = None
