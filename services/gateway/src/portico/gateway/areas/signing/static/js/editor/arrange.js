// Align and distribute a selection of fields. Each function takes the fields it moves
// (objects with x, y, w, h in fractions of their page) and answers new copies.

function bounds(fields) {
  const left = Math.min(...fields.map((f) => f.x));
  const top = Math.min(...fields.map((f) => f.y));
  const right = Math.max(...fields.map((f) => f.x + f.w));
  const bottom = Math.max(...fields.map((f) => f.y + f.h));
  return { left, top, right, bottom };
}

const r5 = (value) => Math.round(value * 1e5) / 1e5;

// how: left, center, right (horizontally), top, middle, bottom (vertically), against the
// selection's bounds.
export function align(fields, how) {
  if (fields.length < 2) return fields.map((f) => ({ ...f }));
  const b = bounds(fields);
  return fields.map((f) => {
    switch (how) {
      case "left":
        return { ...f, x: r5(b.left) };
      case "right":
        return { ...f, x: r5(b.right - f.w) };
      case "center":
        return { ...f, x: r5((b.left + b.right) / 2 - f.w / 2) };
      case "top":
        return { ...f, y: r5(b.top) };
      case "bottom":
        return { ...f, y: r5(b.bottom - f.h) };
      case "middle":
        return { ...f, y: r5((b.top + b.bottom) / 2 - f.h / 2) };
      default:
        throw new Error(`cannot align ${how}`);
    }
  });
}

// Equal gaps between the fields, the first and last staying where they are; "horizontal"
// or "vertical". The answer keeps the order the fields were given in.
export function distribute(fields, direction) {
  if (fields.length < 3) return fields.map((f) => ({ ...f }));
  const [axis, size] = direction === "horizontal" ? ["x", "w"] : ["y", "h"];
  const order = fields.map((f, index) => ({ f, index })).sort((a, b) => a.f[axis] - b.f[axis]);
  const first = order[0].f;
  const last = order[order.length - 1].f;
  const span = last[axis] + last[size] - first[axis];
  const occupied = order.reduce((total, item) => total + item.f[size], 0);
  const gap = (span - occupied) / (order.length - 1);
  const result = new Array(fields.length);
  let at = first[axis];
  for (const item of order) {
    result[item.index] = { ...item.f, [axis]: r5(at) };
    at += item.f[size] + gap;
  }
  result[order[order.length - 1].index] = { ...last };
  return result;
}
