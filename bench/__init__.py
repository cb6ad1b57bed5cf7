"""Benchmarks: figures measured against PostgreSQL, printed by `make bench`, never timed in tests.

Each benchmark is a module with `run(quick: bool) -> list[Result]`, listed in
`bench.run.BENCHMARKS`. `--quick` runs tiny sizes, so the test suite can check that the
scripts still work without timing anything.
"""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Result:
    """One figure: what was measured, its value, and the target it should meet (if any)."""

    benchmark: str
    measure: str
    value: float
    target: float | None = None
    bound: Literal["at most", "at least", "exactly"] = "at most"

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.bound == "at least":
            return self.value >= self.target
        if self.bound == "exactly":
            return self.value == self.target
        return self.value <= self.target

    @property
    def target_text(self) -> str:
        return "" if self.target is None else f"{self.bound} {self.target:,g}"
