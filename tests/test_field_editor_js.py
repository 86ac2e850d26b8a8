"""The field editor's pure modules (the gateway's static/js/editor/: geometry, snapping,
align and distribute, history, clipboard and naming, saving), run with Node: what staff
see when they draw, snap, align, undo, copy and repeat fields, without a browser."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from portico.kit.testing.backends import unavailable

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "services/gateway/src/portico/gateway/areas/signing/static/js/editor"
PURE = ("geometry", "snapping", "arrange", "history", "clipboard", "save")

# Each check is `check(name, got, expected)`: numbers compare within 1e-6.
PRELUDE = """
const failures = [];
let count = 0;
function same(a, b) {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) < 1e-6;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => same(a[k], b[k]));
  }
  return a === b;
}
function check(name, got, expected) {
  count += 1;
  if (!same(got, expected)) failures.push(`${name}: ${JSON.stringify(got)} != ${JSON.stringify(expected)}`);
}
"""  # noqa: E501

A4 = "const A4 = { width: 595.28, height: 841.89 };"

GEOMETRY = (
    A4
    + """
check("mm of a whole A4 page", G.toMillimetres({ x: 0, y: 0, w: 1, h: 1 }, A4), { x: 0, y: 0, w: 210, h: 297 });
check("mm of a field", G.toMillimetres({ x: 0.1, y: 0.5, w: 0.25, h: 0.05 }, A4), { x: 21, y: 148.5, w: 52.5, h: 14.9 });
const back = G.fromMillimetres({ x: 21, y: 148.5, w: 52.5, h: 14.85 }, A4);
check("mm back to fractions", [back.x, back.y, back.w].map((v) => Math.round(v * 1e4) / 1e4), [0.1, 0.5, 0.25]);
check("one point is 25.4/72 mm", G.MM_PER_POINT, 0.35277777777777775);
check("pixels", G.toPixels({ x: 0.5, y: 0.25, w: 0.1, h: 0.1 }, 1200, 1697), { x: 600, y: 424.25, w: 120, h: 169.7 });
check("pixels back", G.fromPixels({ x: 600, y: 0, w: 120, h: 1697 }, 1200, 1697), { x: 0.5, y: 0, w: 0.1, h: 1 });
check("clamped inside on the right", G.clampRect({ x: 0.9, y: 0.1, w: 0.3, h: 0.1 }), { x: 0.7, y: 0.1, w: 0.3, h: 0.1 });
check("clamped inside at the top", G.clampRect({ x: -0.2, y: -0.1, w: 0.3, h: 0.1 }), { x: 0, y: 0, w: 0.3, h: 0.1 });
check("too large for the page", G.clampRect({ x: 0.5, y: 0.5, w: 1.5, h: 2 }), { x: 0, y: 0, w: 1, h: 1 });
check("never under the minimum", G.clampRect({ x: 0.5, y: 0.5, w: 0, h: 0.001 }, { w: 0.01, h: 0.02 }), { x: 0.5, y: 0.5, w: 0.01, h: 0.02 });
check("nudged", G.nudge({ x: 0.5, y: 0.5, w: 0.1, h: 0.1 }, 0.01, -0.02), { x: 0.51, y: 0.48, w: 0.1, h: 0.1 });
check("nudged against the edge", G.nudge({ x: 0.89, y: 0, w: 0.1, h: 0.1 }, 0.05, -0.05), { x: 0.9, y: 0, w: 0.1, h: 0.1 });
const group = G.moveGroup([{ x: 0.1, y: 0.1, w: 0.1, h: 0.1 }, { x: 0.85, y: 0.5, w: 0.1, h: 0.1 }], 0.2, 0);
check("a group stops together at the edge", group.map((r) => r.x), [0.15, 0.9]);
const r = { x: 0.2, y: 0.2, w: 0.2, h: 0.1 };
const min = { w: 0.05, h: 0.02 };
check("resize se", G.resizeRect(r, "se", 0.1, 0.05, min), { x: 0.2, y: 0.2, w: 0.3, h: 0.15 });
check("resize nw", G.resizeRect(r, "nw", -0.1, -0.1, min), { x: 0.1, y: 0.1, w: 0.3, h: 0.2 });
check("resize n keeps the width", G.resizeRect(r, "n", 0.3, 0.05, min), { x: 0.2, y: 0.25, w: 0.2, h: 0.05 });
check("resize e", G.resizeRect(r, "e", -0.05, 0.3, min), { x: 0.2, y: 0.2, w: 0.15, h: 0.1 });
check("resize w past the right edge stops at the minimum", G.resizeRect(r, "w", 0.5, 0, min), { x: 0.35, y: 0.2, w: 0.05, h: 0.1 });
check("resize s past the bottom of the page", G.resizeRect(r, "s", 0, 2, min), { x: 0.2, y: 0.2, w: 0.2, h: 0.8 });
check("resize sw", G.resizeRect(r, "sw", -0.3, 0.1, min), { x: 0, y: 0.2, w: 0.4, h: 0.2 });
check("resize ne", G.resizeRect(r, "ne", 0.1, -0.1, min), { x: 0.2, y: 0.1, w: 0.3, h: 0.2 });
check("drawn up and left", G.rectBetween({ x: 0.5, y: 0.5 }, { x: 0.2, y: 0.4 }), { x: 0.2, y: 0.4, w: 0.3, h: 0.1 });
const box = G.defaultRect("checkbox", A4, { x: 0.5, y: 0.5 });
check("a checkbox is 14 points square", [box.w * A4.width, box.h * A4.height].map((v) => Math.round(v * 10) / 10), [14, 14]);
check("centred where dropped", Math.round((box.x + box.w / 2) * 1e4) / 1e4, 0.5);
const corner = G.defaultRect("signature", A4, { x: 0.99, y: 0.99 });
check("dropped in a corner stays on the page", [corner.x + corner.w <= 1, corner.y + corner.h <= 1], [true, true]);
check("minimum size of 6 points", G.minimumSize(A4).w * A4.width, 6);
check("intersects", G.intersects({ x: 0, y: 0, w: 0.2, h: 0.2 }, { x: 0.1, y: 0.1, w: 0.2, h: 0.2 }), true);
check("apart", G.intersects({ x: 0, y: 0, w: 0.1, h: 0.1 }, { x: 0.2, y: 0.2, w: 0.2, h: 0.2 }), false);
"""  # noqa: E501
)

SNAPPING = """
const other = { x: 0.2, y: 0.5, w: 0.3, h: 0.05 };
let s = S.snapRect({ x: 0.205, y: 0.3, w: 0.1, h: 0.05 }, [other], 0.01, { page: false });
check("left edge snaps to left edge", s.rect.x, 0.2);
check("one guide on x", s.guides, [{ axis: "x", at: 0.2 }]);
s = S.snapRect({ x: 0.395, y: 0.3, w: 0.1, h: 0.05 }, [other], 0.01, { page: false });
check("right edge snaps to right edge", s.rect.x, 0.4);
check("guide at the right edge", s.guides[0].at, 0.5);
s = S.snapRect({ x: 0.3, y: 0.3, w: 0.1, h: 0.05 }, [other], 0.01, { page: false });
check("centre snaps to centre", s.rect.x, 0.3);
check("guide at the centre", s.guides[0].at, 0.35);
s = S.snapRect({ x: 0.7, y: 0.554, w: 0.1, h: 0.05 }, [other], 0.01, { page: false });
check("top snaps to the other's bottom", s.rect.y, 0.55);
check("a guide on y only", s.guides.map((g) => g.axis), ["y"]);
s = S.snapRect({ x: 0.7, y: 0.3, w: 0.1, h: 0.05 }, [other], 0.01, { page: false });
check("too far: no snap", s.rect, { x: 0.7, y: 0.3, w: 0.1, h: 0.05 });
check("too far: no guide", s.guides, []);
s = S.snapRect({ x: 0.205, y: 0.503, w: 0.1, h: 0.05 }, [other], { x: 0.01, y: 0.001 }, { page: false });
check("thresholds per axis", [s.rect.x, s.rect.y], [0.2, 0.503]);
s = S.snapRect({ x: 0.004, y: 0.3, w: 0.1, h: 0.05 }, [], 0.01);
check("the page's edge is a guide", s.rect.x, 0);
s = S.snapRect({ x: 0.2, y: 0.3, w: 0.1, h: 0.05 }, [{ x: 0.207, y: 0, w: 0.1, h: 0.1 }, { x: 0.203, y: 0, w: 0.1, h: 0.1 }], 0.01, { page: false });
check("the nearest guide wins", s.rect.x, 0.203);
s = S.snapRect({ x: 0.1, y: 0.1, w: 0.396, h: 0.05 }, [other], 0.01, { page: false, edges: S.handleEdges("e"), resize: true });
check("a resize moves the dragged edge to the guide", [s.rect.x, s.rect.w], [0.1, 0.4]);
s = S.snapRect({ x: 0.195, y: 0.1, w: 0.3, h: 0.05 }, [other], 0.01, { page: false, edges: S.handleEdges("w"), resize: true });
check("a resize by the left keeps the right edge", [s.rect.x, s.rect.x + s.rect.w], [0.2, 0.495]);
check("handle edges of nw", S.handleEdges("nw"), { x: [0], y: [0] });
check("handle edges of s", S.handleEdges("s"), { x: [], y: [2] });
"""  # noqa: E501

ARRANGE = """
const f = [
  { key: "a", x: 0.1, y: 0.1, w: 0.2, h: 0.05 },
  { key: "b", x: 0.3, y: 0.3, w: 0.1, h: 0.1 },
  { key: "c", x: 0.6, y: 0.2, w: 0.3, h: 0.02 },
];
check("align left", A.align(f, "left").map((r) => r.x), [0.1, 0.1, 0.1]);
check("align right", A.align(f, "right").map((r) => r.x + r.w), [0.9, 0.9, 0.9]);
check("align centres", A.align(f, "center").map((r) => r.x + r.w / 2), [0.5, 0.5, 0.5]);
check("align top", A.align(f, "top").map((r) => r.y), [0.1, 0.1, 0.1]);
check("align bottom", A.align(f, "bottom").map((r) => r.y + r.h), [0.4, 0.4, 0.4]);
check("align middles", A.align(f, "middle").map((r) => r.y + r.h / 2), [0.25, 0.25, 0.25]);
check("align keeps the other axis", A.align(f, "left").map((r) => r.y), [0.1, 0.3, 0.2]);
check("align keeps keys and order", A.align(f, "top").map((r) => r.key), ["a", "b", "c"]);
check("one field: nothing moves", A.align([f[1]], "left"), [f[1]]);
const d = A.distribute(f, "horizontal");
check("distributed: first and last stay", [d[0].x, d[2].x], [0.1, 0.6]);
check("distributed: equal gaps", [d[1].x - (d[0].x + d[0].w), d[2].x - (d[1].x + d[1].w)], [0.1, 0.1]);
const v = A.distribute(f, "vertical");
check("distributed vertically: order by position", [v[0].y, v[2].y, v[1].y], [0.1, 0.215, 0.3]);
check("distributed vertically: equal gaps", [v[2].y - (v[0].y + v[0].h), v[1].y - (v[2].y + v[2].h)], [0.065, 0.065]);
check("two fields: nothing to distribute", A.distribute(f.slice(0, 2), "horizontal"), f.slice(0, 2));
check("the originals are not changed", f[1].x, 0.3);
"""  # noqa: E501

HISTORY = """
const h = new H.History([{ name: "A", x: 0 }]);
check("nothing to undo at first", [h.canUndo, h.canRedo], [false, false]);
check("an unchanged state is no step", h.commit([{ name: "A", x: 0 }]), false);
h.commit([{ name: "A", x: 0.1 }], "drag-1");
h.commit([{ name: "A", x: 0.2 }], "drag-1");
h.commit([{ name: "A", x: 0.3 }], "drag-1");
check("a drag is one step", h.past.length, 1);
check("undo the drag", h.undo(), [{ name: "A", x: 0 }]);
check("redo the drag", h.redo(), [{ name: "A", x: 0.3 }]);
h.commit([{ name: "A", x: 0.4 }], "drag-2");
check("another drag is another step", h.past.length, 2);
h.seal();
h.commit([{ name: "A", x: 0.5 }], "drag-2");
check("sealed: the same key starts a new step", h.past.length, 3);
h.undo();
h.undo();
check("two undos", h.current, [{ name: "A", x: 0.3 }]);
h.commit([{ name: "B", x: 0 }]);
check("a new change forgets what could be redone", h.canRedo, false);
check("undo after a new change", h.undo(), [{ name: "A", x: 0.3 }]);
const state = [{ name: "C", x: 0 }];
const k = new H.History(state);
state[0].x = 9;
check("snapshots are copies", k.current, [{ name: "C", x: 0 }]);
const limited = new H.History([], 3);
for (let i = 1; i <= 5; i += 1) limited.commit([{ i }]);
check("the oldest steps go past the limit", limited.past.length, 3);
let undone = 0;
while (limited.undo()) undone += 1;
check("undo stops at the limit", [undone, limited.current], [3, [{ i: 2 }]]);
check("undo with nothing left", limited.undo(), null);
"""

CLIPBOARD = """
check("a free name stays", C.uniqueName("Signature", ["Text"]), "Signature");
check("the next free number", C.uniqueName("Signature", ["Signature"]), "Signature 2");
check("numbers continue", C.uniqueName("Signature", ["Signature", "Signature 2", "Signature 3"]), "Signature 4");
check("a numbered name counts on", C.uniqueName("Signature 2", ["Signature", "Signature 2"]), "Signature 3");
check("gaps are skipped past", C.uniqueName("Box 2", new Set(["Box 2", "Box 3"])), "Box 4");
check("empty names get one", C.uniqueName("  ", []), "Field");
const fields = [
  { id: "1", key: "k1", name: "Quantity", type: "number", role: "Client", page: 0, x: 0.1, y: 0.1, w: 0.2, h: 0.05 },
  { id: "2", key: "k2", name: "Total", type: "number", role: "Client", page: 1, x: 0.9, y: 0.97, w: 0.1, h: 0.03, formula: "{Quantity} * 2" },
  { id: "3", key: "k3", name: "PO", type: "text", role: "Company", page: 0, x: 0.5, y: 0.5, w: 0.1, h: 0.05,
    condition: { join: "all", conditions: [{ field: "Total", operator: "at_least", value: "10" }] } },
];
const copied = C.copyFields(fields);
check("copies have no id nor key", copied.map((f) => [f.id, f.key]), [[undefined, undefined], [undefined, undefined], [undefined, undefined]]);
let n = 0;
const pasted = C.pasteFields(copied, fields, { newKey: () => `new${++n}` });
check("pasted with new names", pasted.map((f) => f.name), ["Quantity 2", "Total 2", "PO 2"]);
check("pasted with new keys", pasted.map((f) => f.key), ["new1", "new2", "new3"]);
check("pasted with an offset", [pasted[0].x, pasted[0].y], [0.12, 0.12]);
check("kept on the page", [pasted[1].x, pasted[1].y], [0.9, 0.97]);
check("pasted on their pages", pasted.map((f) => f.page), [0, 1, 0]);
check("a formula reads the copies", pasted[1].formula, "{Quantity 2} * 2");
check("a condition reads the copies", pasted[2].condition.conditions[0].field, "Total 2");
check("the originals are untouched", [fields[1].formula, fields[2].condition.conditions[0].field], ["{Quantity} * 2", "Total"]);
const alone = C.pasteFields([copied[1]], fields);
check("a formula on a field not copied keeps reading the original", alone[0].formula, "{Quantity} * 2");
const elsewhere = C.pasteFields(copied, [], { page: 2, pageCount: 3, roles: ["Client"], role: "Client", offset: 0 });
check("into another template: its page, same names", elsewhere.map((f) => [f.name, f.page]), [["Quantity", 2], ["Total", 2], ["PO", 2]]);
check("a role the template has not becomes the current one", elsewhere[2].role, "Client");
check("a condition on a copied field is kept", elsewhere[2].condition.conditions[0].field, "Total");
const lone = C.pasteFields([copied[2]], [], {});
check("a condition on a field the template has not is dropped", lone[0].condition, undefined);
const partly = C.pasteFields([{ ...copied[2], condition: { join: "any", conditions: [{ field: "Total", operator: "empty" }, { field: "Here", operator: "empty" }] } }], [{ name: "Here" }]);
check("only the conditions on missing fields go", partly[0].condition.conditions.map((c) => c.field), ["Here"]);
const short = C.pasteFields(copied, [], { pageCount: 1 });
check("a page the template has not: its last", short.map((f) => f.page), [0, 0, 0]);
const twice = C.pasteFields(copied.slice(0, 1), [...fields, ...pasted]);
check("pasted again: the next number", twice[0].name, "Quantity 3");
const storage = { data: {}, setItem(k, v) { this.data[k] = v; }, getItem(k) { return this.data[k] ?? null; } };
check("an empty clipboard", C.load(storage), null);
C.store(storage, fields.slice(0, 1), "template-1");
const loaded = C.load(storage);
check("through storage", [loaded.templateId, loaded.fields[0].name, loaded.fields[0].id], ["template-1", "Quantity", undefined]);
storage.setItem(C.STORAGE_KEY, "{not json");
check("a broken clipboard is empty", C.load(storage), null);
const initials = { id: "9", key: "k9", name: "Initials", type: "initials", role: "Client", page: 1, x: 0.85, y: 0.92, w: 0.08, h: 0.04 };
const repeated = C.repeatOnEveryPage(initials, [initials], 4, () => "kx");
check("repeated on every other page", repeated.map((f) => f.page), [0, 2, 3]);
check("repeated at the same place", repeated.map((f) => [f.x, f.y, f.w, f.h]), [[0.85, 0.92, 0.08, 0.04], [0.85, 0.92, 0.08, 0.04], [0.85, 0.92, 0.08, 0.04]]);
check("repeated with page names", repeated.map((f) => f.name), ["Initials 1", "Initials 3", "Initials 4"]);
check("repeated without the id", repeated.every((f) => f.id === undefined && f.key === "kx"), true);
const again = C.repeatOnEveryPage(initials, [initials, ...repeated], 4);
check("repeating again adds nothing", again, []);
const taken = C.repeatOnEveryPage(initials, [initials, { name: "Initials 3", page: 0, x: 0, y: 0, type: "text" }], 3);
check("repeated names stay unique", taken.map((f) => f.name), ["Initials 1", "Initials 4"]);
"""  # noqa: E501

SAVE = """
const timers = {
  now: 0, queue: [], next: 1,
  setTimeout(fn, ms) { const id = this.next++; this.queue.push({ id, at: this.now + ms, fn }); return id; },
  clearTimeout(id) { this.queue = this.queue.filter((t) => t.id !== id); },
  async advance(ms) {
    this.now += ms;
    for (;;) {
      const due = this.queue.filter((t) => t.at <= this.now).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.queue = this.queue.filter((t) => t !== due);
      due.fn();
    }
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
  },
};
const sent = [];
const statuses = [];
let release = [];
const saver = new V.Saver({
  delay: 600,
  timers,
  send: (state) => { sent.push(state); return new Promise((resolve) => release.push(() => resolve({ ok: state }))); },
  onStatus: (kind) => statuses.push(kind),
});
saver.schedule("a");
await timers.advance(300);
saver.schedule("b");
await timers.advance(300);
check("debounced: nothing sent while changes come", sent, []);
await timers.advance(300);
check("the last state is sent", sent, ["b"]);
saver.schedule("c");
await timers.advance(600);
saver.schedule("d");
await timers.advance(600);
check("one request at a time", sent, ["b"]);
release.shift()();
await timers.advance(0);
check("then the last state, once", sent, ["b", "d"]);
check("dirty while saving", saver.dirty, true);
release.shift()();
await timers.advance(0);
check("saved", [statuses.at(-1), saver.dirty], ["saved", false]);
const failing = new V.Saver({ delay: 10, timers, send: () => Promise.reject(new Error("offline")), onStatus: (kind) => statuses.push(kind) });
failing.schedule("x");
await timers.advance(10);
await timers.advance(0);
check("a failure is told", statuses.at(-1), "error");
"""  # noqa: E501


def run(tmp_path: Path, body: str) -> None:
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed")
        return
    imports = []
    for name, alias in zip(PURE, ("G", "S", "A", "H", "C", "V"), strict=True):
        module = tmp_path / f"{name}.mjs"
        module.write_text((MODULES / f"{name}.js").read_text())
        imports.append(f'import * as {alias} from "{module.as_uri()}";')
    script = (
        "\n".join(imports) + PRELUDE + body + "\nconsole.log(JSON.stringify({ count, failures }));"
    )
    ran = subprocess.run(
        [node, "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    outcome = json.loads(ran.stdout)
    assert outcome["failures"] == []
    assert outcome["count"] >= 5


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(GEOMETRY, id="geometry: fractions, pixels, millimetres, clamping, resizing"),
        pytest.param(SNAPPING, id="snapping to other fields' edges and centres"),
        pytest.param(ARRANGE, id="align and distribute"),
        pytest.param(HISTORY, id="undo and redo, a drag as one step"),
        pytest.param(CLIPBOARD, id="copy, paste, unique names, repeat on every page"),
        pytest.param(SAVE, id="saving: debounced, one request at a time, the last state wins"),
    ],
)
def test_the_field_editor_modules(tmp_path: Path, body: str) -> None:
    run(tmp_path, body)
