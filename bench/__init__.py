"""Benchmarks: figures measured against PostgreSQL, printed by `make bench`, never timed in tests.

Each benchmark is a module with `run(quick: bool) -> list[Result]`, listed in
`bench.run.BENCHMARKS`. `--quick` runs tiny sizes, so the test suite can check that the
scripts still work without timing anything.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One figure: what was measured, its value, and the bound it should stay under (if any)."""

    benchmark: str
    measure: str
    value: float
    target: float | None = None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.value < self.target
