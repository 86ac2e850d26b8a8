"""Places on a page as Portico stores them: relative to the page as shown (0..1, from its
top-left corner), whatever the page's rotation and the origin of its boxes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """A rectangle relative to the page as shown: ``x``, ``y`` from the top-left corner,
    ``w``, ``h`` its size, each a fraction of the page's width or height."""

    x: float
    y: float
    w: float
    h: float


def relative_box(
    rect: tuple[float, float, float, float],
    view: tuple[float, float, float, float],
    rotation: int = 0,
) -> Box:
    """``rect`` (left, bottom, right, top in the PDF's user space) relative to ``view``
    (the page's crop box, the part shown, in the same space) as the page is shown after its
    ``/Rotate`` (clockwise, a multiple of 90), clamped to the page."""
    left, bottom, right, top = _ordered(rect)
    view_left, view_bottom, view_right, view_top = _ordered(view)
    width, height = view_right - view_left, view_top - view_bottom
    if width <= 0 or height <= 0:
        return Box(0.0, 0.0, 0.0, 0.0)
    # Unrotated, from the top-left corner.
    u0, u1 = (left - view_left) / width, (right - view_left) / width
    v0, v1 = (view_top - top) / height, (view_top - bottom) / height
    corners = [_rotate(u, v, rotation) for u in (u0, u1) for v in (v0, v1)]
    xs = [_clamp(x) for x, _ in corners]
    ys = [_clamp(y) for _, y in corners]
    return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def _rotate(u: float, v: float, rotation: int) -> tuple[float, float]:
    turn = (rotation // 90) % 4
    if turn == 1:
        return 1 - v, u
    if turn == 2:
        return 1 - u, 1 - v
    if turn == 3:
        return v, 1 - u
    return u, v


def _ordered(rect: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(value) for value in rect)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))
