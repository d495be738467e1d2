"""What a number in a scenario may be: shares, weights, factors, money, agents.

Every number of a scenario is finite and bounded by what ccsim can simulate
(:mod:`ccsim.scenario.limits`). A share or probability is 0 to 1, or a percentage in
text (``"20%"``); 80 is refused with the hint to write 0.8. Weights (profiles, day
shares, mixture weights) and factors take percentages too. :class:`Section` is the
base of every section of a scenario: unknown keys are errors, values are frozen, and
no infinity or NaN gets in.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ccsim.scenario import limits
from ccsim.scenario.units import short

__all__ = ["Clock", "Count", "DayFactorCV", "Factor", "Money", "NonNegative", "Probability",
           "Rate", "Section", "Volume", "Weight", "percent", "share"]  # fmt: skip


class Section(BaseModel):
    """A section of a scenario: unknown keys refused, frozen, finite numbers only."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def percent(value: object) -> object:
    """``"20%"`` as 0.2 (a share, a weight or a factor may be written as a percentage)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip()[:-1])
        except ValueError:
            message = f"expected a number or a percentage such as '20%', got {short(value)}"
            raise ValueError(message) from None
        return number / 100.0
    return value


def share(value: object) -> object:
    """A share: 0.2 or ``"20%"``; 80 is refused with the hint to write 0.8."""
    value = percent(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 < value <= 100:
        raise ValueError(
            f"a share is a number between 0 and 1: for {value:g} % write {value / 100:g} "
            f"(got {value:g})"
        )
    return value


NonNegative = Annotated[float, Field(ge=0)]
Money = Annotated[float, Field(ge=0, le=limits.MAX_AMOUNT)]
Factor = Annotated[float, BeforeValidator(percent), Field(ge=0, le=limits.MAX_FACTOR)]
Weight = Annotated[float, BeforeValidator(percent), Field(ge=0, le=limits.MAX_VOLUME)]
Probability = Annotated[float, BeforeValidator(share), Field(ge=0, le=1)]
Rate = Annotated[float, Field(ge=0, le=limits.MAX_RATE)]
Volume = Annotated[float, Field(ge=0, le=limits.MAX_VOLUME)]
DayFactorCV = Annotated[float, Field(ge=0, le=limits.MAX_DAY_FACTOR_CV)]
Count = Annotated[int, Field(ge=0, le=limits.MAX_AGENTS)]  # agents
Clock = str | float  # "HH:MM" or a duration from the start of the day, checked below
