"""One measured figure beside the baseline it is compared with, from the same run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    metric: str
    value: float
    unit: str
    baseline: str
    baseline_value: float
    minimum: float | None = None
    maximum: float | None = None
    minimum_ratio: float | None = None
    # What the machine did during the measurement that a reader should weigh with it.
    note: str | None = None

    @property
    def ratio(self) -> float:
        return self.value / self.baseline_value if self.baseline_value else 0.0

    @property
    def target(self) -> str:
        parts = []
        if self.minimum is not None:
            parts.append(f">= {self.minimum:g} {self.unit}")
        if self.maximum is not None:
            parts.append(f"< {self.maximum:g} {self.unit}")
        if self.minimum_ratio is not None:
            parts.append(f">= {self.minimum_ratio:.0%} of baseline")
        return " and ".join(parts) or "none"

    @property
    def met(self) -> bool:
        return (
            (self.minimum is None or self.value >= self.minimum)
            and (self.maximum is None or self.value < self.maximum)
            and (self.minimum_ratio is None or self.ratio >= self.minimum_ratio)
        )

    def as_json(self) -> dict[str, object]:
        figure: dict[str, object] = {
            "metric": self.metric,
            "value": round(self.value, 3),
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_value": round(self.baseline_value, 3),
            "ratio": round(self.ratio, 3),
            "target": self.target,
            "met": self.met,
        }
        if self.note is not None:
            figure["note"] = self.note
        return figure


def print_figures(figures: list[Figure]) -> None:
    for figure in figures:
        print(
            f"  {figure.metric:<30} {figure.value:>9.1f} {figure.unit:<9}"
            f" | baseline {figure.baseline_value:>9.1f} {figure.unit:<9} ({figure.baseline})"
            f" | ratio {figure.ratio:4.2f} | target {figure.target}:"
            f" {'met' if figure.met else 'MISSED'}"
        )
        if figure.note is not None:
            print(f"  {'':<30} {figure.note}")
