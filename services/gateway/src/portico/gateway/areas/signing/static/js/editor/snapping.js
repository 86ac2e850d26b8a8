// Snap guides: a moving or resized rectangle's edges and centre stick to other fields'
// edges and centres (and the page's) when they come within a threshold. Units are the
// caller's (fractions of the page here); `threshold` is a number or { x, y }.

function candidates(others, axis) {
  const lines = [];
  for (const r of others) {
    const start = axis === "x" ? r.x : r.y;
    const size = axis === "x" ? r.w : r.h;
    lines.push(start, start + size / 2, start + size);
  }
  return lines;
}

// Where the edges of a rectangle are on one axis: [start, centre, end].
function edgesOf(rect, axis) {
  const start = axis === "x" ? rect.x : rect.y;
  const size = axis === "x" ? rect.w : rect.h;
  return [start, start + size / 2, start + size];
}

function best(moving, lines, threshold) {
  let found = null;
  for (const edge of moving) {
    for (const line of lines) {
      const distance = Math.abs(line - edge);
      if (distance <= threshold && (found === null || distance < Math.abs(found.offset))) {
        found = { offset: line - edge, line };
      }
    }
  }
  return found;
}

// The rectangle moved onto the nearest guide on each axis, and the guides to draw:
// { rect, guides: [{ axis: "x"|"y", at }] }. `edges` limits which of the rectangle's lines
// may snap, per axis, by index (0 start, 1 centre, 2 end): a resize moves one edge only.
export function snapRect(rect, others, threshold, options = {}) {
  const tx = typeof threshold === "number" ? threshold : threshold.x;
  const ty = typeof threshold === "number" ? threshold : threshold.y;
  const page = options.page === false ? [] : [{ x: 0, y: 0, w: 1, h: 1 }];
  const targets = [...others, ...page];
  const result = { ...rect };
  const guides = [];
  for (const [axis, limit] of [["x", tx], ["y", ty]]) {
    const allowed = options.edges ? options.edges[axis] : [0, 1, 2];
    if (!allowed || allowed.length === 0) continue;
    const edges = edgesOf(rect, axis).filter((_, index) => allowed.includes(index));
    const found = best(edges, candidates(targets, axis), limit);
    if (!found) continue;
    if (options.resize) {
      // Only the moving edge goes to the guide: the size changes, the other edge stays.
      const size = axis === "x" ? "w" : "h";
      if (allowed.includes(0)) {
        result[axis] = rect[axis] + found.offset;
        result[size] = rect[size] - found.offset;
      } else {
        result[size] = rect[size] + found.offset;
      }
    } else {
      result[axis] = rect[axis] + found.offset;
    }
    guides.push({ axis, at: found.line });
  }
  return { rect: result, guides };
}

// Which of a rectangle's lines a resize handle moves, for snapRect's `edges`.
export function handleEdges(handle) {
  return {
    x: handle.includes("w") ? [0] : handle.includes("e") ? [2] : [],
    y: handle.includes("n") ? [0] : handle.includes("s") ? [2] : [],
  };
}
