// Places of fields on their pages: fractions of the page (0..1 from its top-left corner),
// as the signing service keeps them; pixels on the screen; millimetres in the properties
// panel, from the page's size in points (1 pt = 25.4/72 mm). No DOM here.

export const MM_PER_POINT = 25.4 / 72;
// The smallest field, in points: a small checkbox still has room for its tick.
export const MIN_POINTS = 6;

// Default sizes of a new field in points (width, height), by type.
export const DEFAULT_SIZES = {
  signature: [170, 45],
  initials: [60, 35],
  name: [170, 20],
  text: [170, 20],
  multiline: [220, 70],
  cells: [200, 22],
  date: [90, 20],
  signing_date: [90, 20],
  number: [80, 20],
  email: [170, 20],
  phone: [120, 20],
  checkbox: [14, 14],
  radio: [90, 50],
  select: [140, 20],
  multiple: [120, 60],
  image: [120, 90],
  file: [170, 22],
  stamp: [110, 110],
  readonly: [200, 20],
};

export function round(value, digits = 4) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function clamp(value, low, high) {
  return Math.min(Math.max(value, low), high);
}

// A rectangle in fractions of a page as pixels on a page shown `width` × `height` pixels.
export function toPixels(rect, width, height) {
  return { x: rect.x * width, y: rect.y * height, w: rect.w * width, h: rect.h * height };
}

export function fromPixels(rect, width, height) {
  return { x: rect.x / width, y: rect.y / height, w: rect.w / width, h: rect.h / height };
}

// In millimetres, for a page of `page.width` × `page.height` points.
export function toMillimetres(rect, page) {
  const across = page.width * MM_PER_POINT;
  const down = page.height * MM_PER_POINT;
  return {
    x: round(rect.x * across, 1),
    y: round(rect.y * down, 1),
    w: round(rect.w * across, 1),
    h: round(rect.h * down, 1),
  };
}

export function fromMillimetres(rect, page) {
  const across = page.width * MM_PER_POINT;
  const down = page.height * MM_PER_POINT;
  return { x: rect.x / across, y: rect.y / down, w: rect.w / across, h: rect.h / down };
}

// The smallest width and height as fractions of this page.
export function minimumSize(page, points = MIN_POINTS) {
  return { w: points / page.width, h: points / page.height };
}

// The rectangle kept inside its page: at most the page's size, moved back on it,
// the position rounded as the service keeps it.
export function clampRect(rect, minimum = { w: 0.005, h: 0.005 }) {
  const w = clamp(rect.w, minimum.w, 1);
  const h = clamp(rect.h, minimum.h, 1);
  const x = clamp(rect.x, 0, 1 - w);
  const y = clamp(rect.y, 0, 1 - h);
  return { x: round(x, 5), y: round(y, 5), w: round(w, 5), h: round(h, 5) };
}

// Moved by (dx, dy) fractions, then kept on its page.
export function nudge(rect, dx, dy, minimum) {
  return clampRect({ ...rect, x: rect.x + dx, y: rect.y + dy }, minimum);
}

// A group of rectangles moved by the same amount, the amount reduced so that none leaves its
// page: a multi-selection moves as one.
export function moveGroup(rects, dx, dy) {
  let ddx = dx;
  let ddy = dy;
  for (const r of rects) {
    ddx = clamp(ddx, -r.x, 1 - r.x - r.w);
    ddy = clamp(ddy, -r.y, 1 - r.y - r.h);
  }
  return rects.map((r) => ({ ...r, x: round(r.x + ddx, 5), y: round(r.y + ddy, 5) }));
}

// The eight handles: which edges each moves.
export const HANDLES = {
  nw: { left: true, top: true },
  n: { top: true },
  ne: { right: true, top: true },
  e: { right: true },
  se: { right: true, bottom: true },
  s: { bottom: true },
  sw: { left: true, bottom: true },
  w: { left: true },
};

// The rectangle after dragging `handle` by (dx, dy): the opposite edges stay where they
// are, the size never goes under `minimum` nor the rectangle off its page.
export function resizeRect(rect, handle, dx, dy, minimum = { w: 0.005, h: 0.005 }) {
  const edges = HANDLES[handle];
  if (!edges) throw new Error(`no handle ${handle}`);
  let left = rect.x;
  let top = rect.y;
  let right = rect.x + rect.w;
  let bottom = rect.y + rect.h;
  if (edges.left) left = clamp(left + dx, 0, right - minimum.w);
  if (edges.right) right = clamp(right + dx, left + minimum.w, 1);
  if (edges.top) top = clamp(top + dy, 0, bottom - minimum.h);
  if (edges.bottom) bottom = clamp(bottom + dy, top + minimum.h, 1);
  return {
    x: round(left, 5),
    y: round(top, 5),
    w: round(right - left, 5),
    h: round(bottom - top, 5),
  };
}

// The rectangle between two points (a drawn field), whichever way it was drawn.
export function rectBetween(a, b) {
  return {
    x: Math.min(a.x, b.x),
    y: Math.min(a.y, b.y),
    w: Math.abs(a.x - b.x),
    h: Math.abs(a.y - b.y),
  };
}

// A new field's rectangle of its type's size, centred on a point of the page.
export function defaultRect(type, page, centre) {
  const [w, h] = DEFAULT_SIZES[type] || [150, 20];
  const fw = Math.min(w / page.width, 1);
  const fh = Math.min(h / page.height, 1);
  return clampRect({ x: centre.x - fw / 2, y: centre.y - fh / 2, w: fw, h: fh });
}

export function intersects(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
