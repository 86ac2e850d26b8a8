// The field editor's page (templates/signing/editor.html): fields drawn, dragged, moved
// and resized on the pages with pointer events (mouse, pen, touch), edited in the
// properties panel, and saved a moment after each change. Everything the page says comes
// translated in its #editor-data. Positions reach the CSS as custom properties only
// (--x, --y, --w, --h as fractions of the page): the page's CSP allows no style attribute.

import { align, distribute } from "./arrange.js";
import {
  copyFields,
  load as loadClipboard,
  pasteFields,
  repeatOnEveryPage,
  store as storeClipboard,
  uniqueName,
} from "./clipboard.js";
import {
  clampRect,
  defaultRect,
  fromMillimetres,
  intersects,
  minimumSize,
  moveGroup,
  rectBetween,
  resizeRect,
  toMillimetres,
} from "./geometry.js";
import { History } from "./history.js";
import { Saver } from "./save.js";
import { handleEdges, snapRect } from "./snapping.js";

const ROLE_COLOURS = 6;
const SNAP_PIXELS = 6;
const DRAG_PIXELS = 4;
const NUDGE_POINTS = 1;
const BIG_NUDGE_POINTS = 10;
const WITH_OPTIONS = new Set(["radio", "select", "multiple"]);
const TYPED = new Set(["name", "text", "multiline", "cells", "email", "phone"]);
const HANDLE_NAMES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

const root = document.querySelector("[data-field-editor]");
const data = JSON.parse(document.getElementById("editor-data").textContent);
const S = data.strings;
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const typeLabels = Object.fromEntries(data.types.map((t) => [t.value, t.label]));

let nextKey = 1;
const newKey = () => `k${nextKey++}`;

let fields = data.fields.map((field) => ({ ...field, key: newKey() }));
const history = new History(fields);
// Ids the service gave, by editor key: an undone state still saves under them.
const ids = new Map(fields.filter((f) => f.id).map((f) => [f.key, f.id]));
let selection = new Set();
let armedType = null;
let currentRole = data.roles[0];
let gestureCount = 0;
let gesture = null;
// The service's errors by field key: [{ property, message }].
let errors = new Map();

const elements = new Map();
const layers = new Map();
const pageElements = new Map();
for (const section of root.querySelectorAll("[data-page]")) {
  const index = Number(section.dataset.page);
  const page = data.pages[index];
  section.style.setProperty("--ratio", `${page.width} / ${page.height}`);
  pageElements.set(index, section);
  layers.set(index, section.querySelector("[data-layer]"));
}

const statusElement = root.querySelector("[data-save-status]");
const announcer = root.querySelector("[data-announce]");
const toolbar = root.querySelector("[data-toolbar]");
const palette = root.querySelector("[data-palette]");
const form = root.querySelector("[data-props]");
const emptyNote = root.querySelector("[data-props-empty]");
const errorList = root.querySelector("[data-props-errors]");
const conditionRows = root.querySelector("[data-condition-rows]");
const conditionTemplate = document.getElementById("ed-condition-row");

function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_whole, name) => String(values[name] ?? ""));
}

function roleIndex(role) {
  const index = data.roles.indexOf(role);
  return index < 0 ? "none" : String(index % ROLE_COLOURS);
}

const byKey = (key) => fields.find((f) => f.key === key);
const selectedFields = () => fields.filter((f) => selection.has(f.key));
const pageOf = (field) => data.pages[field.page];

// --- Rendering --------------------------------------------------------------------------

function fieldElement(field) {
  const element = document.createElement("div");
  element.className = "ed-field";
  element.tabIndex = 0;
  element.setAttribute("role", "button");
  element.dataset.key = field.key;
  // The type's symbol is drawn by the CSS (data-symbol): the name says the type in words.
  const name = document.createElement("span");
  name.className = "ed-field-name";
  element.append(name);
  for (const handle of HANDLE_NAMES) {
    const grip = document.createElement("span");
    grip.className = `ed-handle ed-handle-${handle}`;
    grip.dataset.handle = handle;
    grip.setAttribute("aria-hidden", "true");
    element.append(grip);
  }
  element.addEventListener("focus", () => {
    if (!selection.has(field.key) && !gesture) {
      selection = new Set([field.key]);
      render();
    }
  });
  return element;
}

function place(element, rect) {
  element.style.setProperty("--x", rect.x);
  element.style.setProperty("--y", rect.y);
  element.style.setProperty("--w", rect.w);
  element.style.setProperty("--h", rect.h);
}

function render() {
  const seen = new Set();
  for (const field of fields) {
    let element = elements.get(field.key);
    if (!element) {
      element = fieldElement(field);
      elements.set(field.key, element);
    }
    const layer = layers.get(field.page) || layers.get(0);
    if (element.parentElement !== layer) layer.append(element);
    place(element, field);
    const selected = selection.has(field.key);
    element.classList.toggle("is-selected", selected);
    element.classList.toggle("is-invalid", errors.has(field.key));
    element.dataset.role = roleIndex(field.role);
    element.dataset.type = field.type;
    element.setAttribute("aria-pressed", String(selected));
    const label = field.label || field.name;
    element.setAttribute(
      "aria-label",
      format(S.field, { type: typeLabels[field.type] || field.type, label, role: field.role }),
    );
    element.dataset.symbol = data.types.find((t) => t.value === field.type)?.symbol || "";
    element.querySelector(".ed-field-name").textContent = label;
    seen.add(field.key);
  }
  for (const [key, element] of elements) {
    if (!seen.has(key)) {
      const hadFocus = element.contains(document.activeElement);
      element.remove();
      elements.delete(key);
      if (hadFocus) pageElements.get(0)?.focus({ preventScroll: true });
    }
  }
  renderToolbar();
  renderProperties();
}

function renderToolbar() {
  const count = selection.size;
  const enabled = {
    undo: history.canUndo,
    redo: history.canRedo,
    copy: count > 0,
    duplicate: count > 0,
    paste: loadClipboard(localStorage) !== null,
    delete: count > 0,
    repeat: count > 0 && data.pages.length > 1,
    "distribute-horizontal": count > 2,
    "distribute-vertical": count > 2,
  };
  for (const button of toolbar.querySelectorAll("[data-action]")) {
    const action = button.dataset.action;
    button.disabled = action.startsWith("align-") ? count < 2 : !enabled[action];
  }
}

// Said to screen readers: what a gesture or a shortcut did that the page does not show.
function announce(text) {
  announcer.textContent = "";
  setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

function setStatus(kind, reason = "") {
  statusElement.dataset.state = kind;
  if (kind === "saved") statusElement.textContent = S.saved;
  else if (kind === "saving" || kind === "pending") statusElement.textContent = S.saving;
  else statusElement.textContent = format(S.notSaved, { reason });
}

// --- Changes, history, saving -----------------------------------------------------------

function commit(coalesce = null) {
  if (history.commit(fields, coalesce)) {
    saver.schedule(snapshot());
  }
  render();
}

function snapshot() {
  const keys = fields.map((f) => f.key);
  const payload = fields.map((field) => {
    const { key, ...rest } = field;
    const id = rest.id || ids.get(key);
    if (id) rest.id = id;
    else delete rest.id;
    return rest;
  });
  return { keys, fields: payload };
}

function restore(state) {
  const known = new Set(state.map((f) => f.key));
  fields = state;
  selection = new Set([...selection].filter((key) => known.has(key)));
  saver.schedule(snapshot());
  render();
}

class SaveRefused extends Error {
  constructor(kind, body = null) {
    super(kind);
    this.kind = kind;
    this.body = body;
  }
}

async function send(state) {
  let response;
  try {
    response = await fetch(data.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
      body: JSON.stringify({ fields: state.fields }),
    });
  } catch {
    throw new SaveRefused("offline");
  }
  const json = (response.headers.get("content-type") || "").includes("application/json");
  if (response.status === 422 && json) throw new SaveRefused("invalid", await response.json());
  if (!response.ok || !json || response.redirected) throw new SaveRefused("expired");
  return response.json();
}

function learnIds(answer, state) {
  (answer.fields || []).forEach((field, index) => {
    const key = state.keys[index];
    if (key && field.id) ids.set(key, field.id);
  });
}

const saver = new Saver({
  send,
  onStatus(kind, detail, state) {
    if (kind === "saved" || kind === "superseded") {
      learnIds(detail, state);
      if (kind === "saved") {
        errors = new Map();
        setStatus("saved");
        render();
      }
      return;
    }
    if (kind === "error") {
      if (detail.kind === "invalid") {
        errors = new Map();
        for (const error of detail.body.errors || []) {
          const key = error.index !== null ? state.keys[error.index] : null;
          if (!key) continue;
          errors.set(key, [...(errors.get(key) || []), error]);
        }
        const first = (detail.body.errors || [])[0];
        const reason = first
          ? `${first.name ? `${first.name}: ` : ""}${first.message}`
          : detail.body.message || S.invalid;
        setStatus("error", reason);
        render();
      } else {
        setStatus("error", detail.kind === "offline" ? S.offline : S.expired);
      }
      return;
    }
    setStatus(kind);
  },
});

window.addEventListener("beforeunload", (event) => {
  if (saver.dirty) {
    saver.flush();
    event.preventDefault();
  }
});

// --- Actions ----------------------------------------------------------------------------

function visiblePage() {
  let best = 0;
  let bestHeight = -1;
  for (const [index, section] of pageElements) {
    const box = section.getBoundingClientRect();
    const height = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0);
    if (height > bestHeight) {
      best = index;
      bestHeight = height;
    }
  }
  return best;
}

function addField(type, page, rect) {
  const taken = new Set(fields.map((f) => f.name));
  const field = {
    key: newKey(),
    name: uniqueName(typeLabels[type] || type, taken),
    type,
    role: currentRole,
    page,
    ...clampRect(rect, minimumSize(data.pages[page])),
    label: "",
    required: type !== "readonly" && type !== "signing_date" && type !== "checkbox",
  };
  if (WITH_OPTIONS.has(type)) field.options = defaultOptions();
  if (type === "cells") field.cells = 10;
  fields = [...fields, field];
  selection = new Set([field.key]);
  commit();
  elements.get(field.key)?.focus({ preventScroll: true });
  return field;
}

function defaultOptions() {
  return [1, 2].map((number) => format(S.option, { number }));
}

// A field renamed: the formulas and conditions of the others follow it (unless the new
// name is another field's, which the service refuses anyway).
function renameReferences(before, after) {
  if (!before || before === after || fields.filter((f) => f.name === after).length > 1) return;
  const escaped = before.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const reference = new RegExp(`\\{\\s*${escaped}\\s*\\}`, "g");
  fields = fields.map((field) => {
    let changed = field;
    if (field.formula) {
      const formula = field.formula.replace(reference, `{${after}}`);
      if (formula !== field.formula) changed = { ...changed, formula };
    }
    if (field.condition?.conditions.some((c) => c.field === before)) {
      const conditions = field.condition.conditions.map((c) =>
        c.field === before ? { ...c, field: after } : c,
      );
      changed = { ...changed, condition: { ...field.condition, conditions } };
    }
    return changed;
  });
}

function disarm() {
  armedType = null;
  root.classList.remove("is-drawing");
  for (const button of palette.querySelectorAll("[data-type]")) {
    button.setAttribute("aria-pressed", "false");
  }
}

function arm(type) {
  if (armedType === type) {
    disarm();
    return;
  }
  disarm();
  armedType = type;
  root.classList.add("is-drawing");
  palette.querySelector(`[data-type="${type}"]`)?.setAttribute("aria-pressed", "true");
  announce(S.drawHint);
}

function removeSelected() {
  if (!selection.size) return;
  fields = fields.filter((f) => !selection.has(f.key));
  selection = new Set();
  commit();
}

function copySelected() {
  const chosen = selectedFields();
  if (!chosen.length) return;
  storeClipboard(localStorage, chosen, data.id);
  renderToolbar();
  announce(format(S.copied, { count: chosen.length }));
}

function paste() {
  const copied = loadClipboard(localStorage);
  if (!copied) return;
  const sameTemplate = copied.templateId === data.id;
  const copies = pasteFields(copied.fields, fields, {
    page: sameTemplate ? undefined : visiblePage(),
    pageCount: data.pages.length,
    roles: data.roles,
    role: currentRole,
    newKey,
  });
  fields = [...fields, ...copies];
  selection = new Set(copies.map((f) => f.key));
  commit();
  elements.get(copies[0]?.key)?.focus({ preventScroll: true });
}

function duplicate() {
  const chosen = selectedFields();
  if (!chosen.length) return;
  const copies = pasteFields(copyFields(chosen), fields, { newKey });
  fields = [...fields, ...copies];
  selection = new Set(copies.map((f) => f.key));
  commit();
  elements.get(copies[0]?.key)?.focus({ preventScroll: true });
}

function replaceSelected(changed) {
  const byItsKey = new Map(changed.map((f) => [f.key, f]));
  fields = fields.map((f) => byItsKey.get(f.key) || f);
}

function arrange(action) {
  const chosen = selectedFields();
  if (action.startsWith("align-")) {
    // Fields are aligned with those of the same page.
    const pages = new Set(chosen.map((f) => f.page));
    for (const page of pages) {
      replaceSelected(align(chosen.filter((f) => f.page === page), action.slice(6)));
    }
  } else {
    const direction = action.slice(11);
    const pages = new Set(chosen.map((f) => f.page));
    for (const page of pages) {
      replaceSelected(distribute(chosen.filter((f) => f.page === page), direction));
    }
  }
  commit();
}

function repeat() {
  const copies = [];
  for (const field of selectedFields()) {
    copies.push(...repeatOnEveryPage(field, [...fields, ...copies], data.pages.length, newKey));
  }
  fields = [...fields, ...copies];
  commit();
  announce(format(S.repeated, { count: copies.length }));
}

function undo() {
  const state = history.undo();
  if (state) restore(state);
}

function redo() {
  const state = history.redo();
  if (state) restore(state);
}

function nudge(dxPoints, dyPoints) {
  const chosen = selectedFields();
  if (!chosen.length) return;
  const page = pageOf(chosen[0]);
  const moved = moveGroup(chosen, dxPoints / page.width, dyPoints / page.height);
  replaceSelected(moved.map((rect, index) => ({ ...chosen[index], x: rect.x, y: rect.y })));
  commit(`nudge:${[...selection].join(",")}`);
}

const ACTIONS = {
  undo,
  redo,
  copy: copySelected,
  paste,
  duplicate,
  delete: removeSelected,
  repeat,
};

toolbar.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button || button.disabled) return;
  const action = button.dataset.action;
  if (ACTIONS[action]) ACTIONS[action]();
  else arrange(action);
});

// --- Palette: choose a type, then draw it; or drag it onto a page -------------------------

let paletteDrag = null;
let swallowClick = false;

palette.addEventListener("pointerdown", (event) => {
  const button = event.target.closest("[data-type]");
  if (!button || (event.pointerType === "mouse" && event.button !== 0)) return;
  button.setPointerCapture(event.pointerId);
  paletteDrag = { button, type: button.dataset.type, x: event.clientX, y: event.clientY, ghost: null };
});

palette.addEventListener("pointermove", (event) => {
  if (!paletteDrag) return;
  const moved = Math.hypot(event.clientX - paletteDrag.x, event.clientY - paletteDrag.y);
  if (!paletteDrag.ghost && moved > DRAG_PIXELS) {
    const ghost = document.createElement("div");
    ghost.className = "ed-ghost";
    ghost.setAttribute("aria-hidden", "true");
    ghost.textContent = typeLabels[paletteDrag.type];
    document.body.append(ghost);
    paletteDrag.ghost = ghost;
  }
  if (paletteDrag.ghost) {
    paletteDrag.ghost.style.setProperty("--gx", `${event.clientX}px`);
    paletteDrag.ghost.style.setProperty("--gy", `${event.clientY}px`);
  }
});

function endPaletteDrag(event, dropped) {
  if (!paletteDrag) return;
  const { ghost, type } = paletteDrag;
  paletteDrag = null;
  if (!ghost) return;
  ghost.remove();
  swallowClick = true;
  setTimeout(() => {
    swallowClick = false;
  }, 0);
  if (!dropped) return;
  const target = document.elementFromPoint(event.clientX, event.clientY)?.closest("[data-page]");
  if (!target) return;
  const page = Number(target.dataset.page);
  const point = pointIn(layers.get(page), event);
  disarm();
  addField(type, page, defaultRect(type, data.pages[page], point));
}

palette.addEventListener("pointerup", (event) => endPaletteDrag(event, true));
palette.addEventListener("pointercancel", (event) => endPaletteDrag(event, false));

palette.addEventListener("click", (event) => {
  const button = event.target.closest("[data-type]");
  if (!button || swallowClick) return;
  if (event.detail === 0) {
    // From the keyboard: the field goes in the middle of the page in view.
    const page = visiblePage();
    disarm();
    addField(button.dataset.type, page, defaultRect(button.dataset.type, data.pages[page], { x: 0.5, y: 0.5 }));
    return;
  }
  arm(button.dataset.type);
});

for (const input of root.querySelectorAll("[data-current-role]")) {
  input.addEventListener("change", () => {
    if (input.checked) currentRole = input.value;
  });
}

// --- Pointer gestures on the pages: draw, move, resize, select ----------------------------

function pointIn(layer, event) {
  const box = layer.getBoundingClientRect();
  return {
    x: Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1),
    y: Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1),
  };
}

function overlay(layer, className) {
  const element = document.createElement("div");
  element.className = className;
  element.setAttribute("aria-hidden", "true");
  layer.append(element);
  return element;
}

function showGuides(layer, guides) {
  for (const old of layer.querySelectorAll(".ed-guide")) old.remove();
  for (const guide of guides) {
    const line = overlay(layer, `ed-guide ed-guide-${guide.axis}`);
    line.style.setProperty("--at", guide.at);
  }
}

function snapThreshold(layer) {
  const box = layer.getBoundingClientRect();
  return { x: SNAP_PIXELS / box.width, y: SNAP_PIXELS / box.height };
}

function others(page) {
  return fields.filter((f) => f.page === page && !selection.has(f.key));
}

function startGesture(event, layer, page) {
  const handle = event.target.closest("[data-handle]");
  const fieldElement = event.target.closest(".ed-field");
  const point = pointIn(layer, event);
  gestureCount += 1;
  const common = { layer, page, start: point, id: `gesture-${gestureCount}`, moved: false };
  if (fieldElement) {
    const key = fieldElement.dataset.key;
    if (event.shiftKey || event.metaKey || event.ctrlKey) {
      const next = new Set(selection);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      selection = next;
      render();
      fieldElement.focus({ preventScroll: true });
      return null;
    }
    if (!selection.has(key)) selection = new Set([key]);
    fieldElement.focus({ preventScroll: true });
    render();
    const field = byKey(key);
    if (handle) {
      selection = new Set([key]);
      render();
      return { ...common, kind: "resize", key, handle: handle.dataset.handle, from: { ...field } };
    }
    const moving = selectedFields().filter((f) => f.page === field.page);
    return {
      ...common,
      kind: "move",
      key,
      from: new Map(moving.map((f) => [f.key, { x: f.x, y: f.y, w: f.w, h: f.h }])),
    };
  }
  if (armedType) {
    return { ...common, kind: "draw", type: armedType, draft: overlay(layer, "ed-draft") };
  }
  if (!event.shiftKey) selection = new Set();
  render();
  return { ...common, kind: "band", before: new Set(selection), band: overlay(layer, "ed-band") };
}

function continueGesture(event) {
  const g = gesture;
  const point = pointIn(g.layer, event);
  const dx = point.x - g.start.x;
  const dy = point.y - g.start.y;
  const box = g.layer.getBoundingClientRect();
  if (!g.moved && Math.hypot(dx * box.width, dy * box.height) < DRAG_PIXELS) return;
  g.moved = true;
  const page = data.pages[g.page];
  if (g.kind === "move") {
    const from = [...g.from.values()];
    const lead = g.from.get(g.key);
    const wanted = { ...lead, x: lead.x + dx, y: lead.y + dy };
    const snapped = snapRect(wanted, others(g.page), snapThreshold(g.layer));
    const moved = moveGroup(from, snapped.rect.x - lead.x, snapped.rect.y - lead.y);
    const keys = [...g.from.keys()];
    fields = fields.map((f) => {
      const index = keys.indexOf(f.key);
      return index < 0 ? f : { ...f, x: moved[index].x, y: moved[index].y };
    });
    showGuides(g.layer, snapped.guides);
    commit(g.id);
  } else if (g.kind === "resize") {
    const minimum = minimumSize(page);
    const resized = resizeRect(g.from, g.handle, dx, dy, minimum);
    const snapped = snapRect(resized, others(g.page), snapThreshold(g.layer), {
      edges: handleEdges(g.handle),
      resize: true,
    });
    const rect = clampRect(snapped.rect, minimum);
    fields = fields.map((f) => (f.key === g.key ? { ...f, ...rect } : f));
    showGuides(g.layer, snapped.guides);
    commit(g.id);
  } else if (g.kind === "draw") {
    place(g.draft, rectBetween(g.start, point));
  } else if (g.kind === "band") {
    const band = rectBetween(g.start, point);
    place(g.band, band);
    const inside = fields.filter((f) => f.page === g.page && intersects(f, band)).map((f) => f.key);
    selection = new Set([...g.before, ...inside]);
    render();
  }
}

function endGesture(event, cancelled) {
  const g = gesture;
  gesture = null;
  showGuides(g.layer, []);
  history.seal();
  if (g.kind === "draw") {
    g.draft.remove();
    if (cancelled) return;
    const point = pointIn(g.layer, event);
    const page = data.pages[g.page];
    const drawn = rectBetween(g.start, point);
    const box = g.layer.getBoundingClientRect();
    const small = drawn.w * box.width < 8 && drawn.h * box.height < 8;
    const type = g.type;
    disarm();
    addField(type, g.page, small ? defaultRect(type, page, point) : drawn);
  } else if (g.kind === "band") {
    g.band.remove();
  } else if (cancelled && g.moved) {
    undo();
  }
}

for (const [page, layer] of layers) {
  layer.addEventListener("pointerdown", (event) => {
    if (gesture || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    const started = startGesture(event, layer, page);
    if (!started) return;
    gesture = started;
    layer.setPointerCapture(event.pointerId);
  });
  layer.addEventListener("pointermove", (event) => {
    if (gesture && gesture.layer === layer) continueGesture(event);
  });
  layer.addEventListener("pointerup", (event) => {
    if (gesture && gesture.layer === layer) endGesture(event, false);
  });
  layer.addEventListener("pointercancel", (event) => {
    if (gesture && gesture.layer === layer) endGesture(event, true);
  });
}

// --- Keyboard ---------------------------------------------------------------------------

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable]") !== null;
}

document.addEventListener("keydown", (event) => {
  if (typing(event.target)) return;
  const command = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  let done = true;
  if (command && key === "z" && event.shiftKey) redo();
  else if (command && key === "z") undo();
  else if (command && key === "y") redo();
  else if (command && key === "c" && selection.size) copySelected();
  else if (command && key === "v") paste();
  else if (command && key === "d") duplicate();
  else if (command && key === "a" && root.contains(event.target)) {
    const page = selection.size ? selectedFields()[0].page : visiblePage();
    selection = new Set(fields.filter((f) => f.page === page).map((f) => f.key));
    render();
  } else if ((key === "delete" || key === "backspace") && selection.size && !command) removeSelected();
  else if (key === "escape") {
    if (armedType) disarm();
    else {
      selection = new Set();
      render();
    }
  } else if (key.startsWith("arrow") && selection.size && !command) {
    const step = event.shiftKey ? BIG_NUDGE_POINTS : NUDGE_POINTS;
    const [dx, dy] = {
      arrowleft: [-step, 0],
      arrowright: [step, 0],
      arrowup: [0, -step],
      arrowdown: [0, step],
    }[key];
    nudge(dx, dy);
  } else done = false;
  if (done) event.preventDefault();
});

// --- Properties panel -------------------------------------------------------------------

const inputs = (name) => form.elements.namedItem(name);

function setValue(name, value) {
  const input = inputs(name);
  if (!input || input === document.activeElement) return;
  if (input.type === "checkbox") {
    input.checked = Boolean(value);
    input.indeterminate = value === null;
  } else input.value = value ?? "";
}

function conditionRow(condition, choices) {
  const row = conditionTemplate.content.firstElementChild.cloneNode(true);
  const fieldSelect = row.querySelector('[name="c_field"]');
  for (const name of choices) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = name;
    fieldSelect.append(option);
  }
  fieldSelect.value = condition.field;
  row.querySelector('[name="c_operator"]').value = condition.operator;
  row.querySelector('[name="c_value"]').value = condition.value || "";
  return row;
}

let shownKeys = "";

function renderProperties() {
  const chosen = selectedFields();
  const keys = chosen.map((f) => f.key).join(",");
  const changedSelection = keys !== shownKeys;
  shownKeys = keys;
  emptyNote.hidden = chosen.length > 0;
  form.hidden = chosen.length === 0;
  errorList.replaceChildren();
  if (!chosen.length) return;
  const single = chosen.length === 1 ? chosen[0] : null;
  form.dataset.type = single ? single.type : "";
  for (const group of form.querySelectorAll("[data-single]")) group.hidden = !single;
  for (const group of form.querySelectorAll("[data-types]")) {
    group.hidden = !single || !group.dataset.types.split(" ").includes(single.type);
  }
  for (const group of form.querySelectorAll("[data-multiple]")) group.hidden = Boolean(single);
  root.querySelector("[data-selection-count]").textContent = single
    ? ""
    : format(S.selected, { count: chosen.length });
  const common = (name) => (chosen.every((f) => f[name] === chosen[0][name]) ? chosen[0][name] : null);
  setValue("role", common("role") ?? "");
  setValue("required", common("required"));
  if (!single) return;
  const mm = toMillimetres(single, pageOf(single));
  const validation = single.validation || {};
  const values = {
    name: single.name,
    type: single.type,
    label: single.label || "",
    font_size: single.font_size ?? 11,
    align: single.align || "left",
    x_mm: mm.x,
    y_mm: mm.y,
    w_mm: mm.w,
    h_mm: mm.h,
    options: (single.options || []).join("\n"),
    cells: single.cells ?? "",
    formula: single.formula || "",
    prefill: single.prefill || "",
    mapping: single.mapping || "",
    pattern: validation.pattern || "",
    message: validation.message || "",
    min: validation.min ?? "",
    max: validation.max ?? "",
    min_length: validation.min_length ?? "",
    max_length: validation.max_length ?? "",
    join: single.condition?.join || "all",
  };
  for (const [name, value] of Object.entries(values)) setValue(name, value);
  if (changedSelection || !conditionRows.contains(document.activeElement)) {
    const choices = fields.filter((f) => f.key !== single.key).map((f) => f.name);
    conditionRows.replaceChildren(
      ...(single.condition?.conditions || []).map((c) => conditionRow(c, choices)),
    );
  }
  for (const error of errors.get(single.key) || []) {
    const item = document.createElement("li");
    item.textContent = error.message;
    errorList.append(item);
  }
}

function number(value) {
  if (value === "" || value === null || value === undefined) return null;
  const parsed = Number(String(value).replace(",", "."));
  return Number.isFinite(parsed) ? parsed : null;
}

function text(name) {
  const value = inputs(name).value.trim();
  return value === "" ? null : value;
}

function setOptional(field, name, value) {
  if (value === null || value === undefined) delete field[name];
  else field[name] = value;
}

function fromForm(field, changed) {
  const next = { ...field };
  const page = pageOf(field);
  next.name = inputs("name").value.trim() || field.name;
  next.type = inputs("type").value;
  next.role = inputs("role").value;
  next.label = inputs("label").value;
  next.required = inputs("required").checked;
  next.font_size = Math.round(number(inputs("font_size").value) ?? 11);
  next.align = inputs("align").value;
  if (["x_mm", "y_mm", "w_mm", "h_mm"].includes(changed)) {
    const mm = toMillimetres(field, page);
    for (const axis of ["x", "y", "w", "h"]) {
      const value = number(inputs(`${axis}_mm`).value);
      if (value !== null) mm[axis] = value;
    }
    Object.assign(next, clampRect(fromMillimetres(mm, page), minimumSize(page)));
  }
  if (WITH_OPTIONS.has(next.type)) {
    const options = inputs("options").value.split("\n").map((o) => o.trim()).filter(Boolean);
    next.options = options.length || changed === "options" ? options : field.options || defaultOptions();
  } else delete next.options;
  if (next.type === "cells") next.cells = Math.round(number(inputs("cells").value) ?? 10);
  else delete next.cells;
  setOptional(next, "formula", next.type === "number" ? text("formula") : null);
  setOptional(next, "prefill", text("prefill"));
  setOptional(next, "mapping", text("mapping"));
  const validation = {};
  if (TYPED.has(next.type)) {
    for (const name of ["pattern", "message"]) if (text(name) !== null) validation[name] = text(name);
    for (const name of ["min_length", "max_length"]) {
      const value = number(inputs(name).value);
      if (value !== null) validation[name] = Math.round(value);
    }
  }
  if (next.type === "number") {
    for (const name of ["min", "max"]) {
      const value = number(inputs(name).value);
      if (value !== null) validation[name] = value;
    }
  }
  setOptional(next, "validation", Object.keys(validation).length ? validation : null);
  const conditions = [...conditionRows.querySelectorAll("[data-condition]")].map((row) => ({
    field: row.querySelector('[name="c_field"]').value,
    operator: row.querySelector('[name="c_operator"]').value,
    value: row.querySelector('[name="c_value"]').value,
  })).filter((c) => c.field);
  setOptional(
    next,
    "condition",
    conditions.length ? { join: inputs("join").value, conditions } : null,
  );
  return next;
}

function formChanged(event) {
  const name = event.target.name;
  if (!name) return;
  const chosen = selectedFields();
  // An input left for another field fires "change" once that field is selected: what it
  // holds belongs to the field the panel still shows (and was applied as it was typed).
  if (!chosen.length || chosen.map((f) => f.key).join(",") !== shownKeys) return;
  if (chosen.length === 1) {
    const updated = fromForm(chosen[0], name);
    replaceSelected([updated]);
    if (name === "name") renameReferences(chosen[0].name, updated.name);
    if (name === "role") currentRole = inputs("role").value;
  } else if (name === "role" && inputs("role").value) {
    replaceSelected(chosen.map((f) => ({ ...f, role: inputs("role").value })));
    currentRole = inputs("role").value;
  } else if (name === "required") {
    replaceSelected(chosen.map((f) => ({ ...f, required: inputs("required").checked })));
  }
  commit(`panel:${name}:${[...selection].join(",")}`);
}

form.addEventListener("input", formChanged);
form.addEventListener("change", (event) => {
  formChanged(event);
  history.seal();
});
form.addEventListener("submit", (event) => event.preventDefault());

form.addEventListener("click", (event) => {
  if (event.target.closest("[data-add-condition]")) {
    const [single] = selectedFields();
    const choices = fields.filter((f) => f.key !== single.key).map((f) => f.name);
    if (!choices.length) return;
    const row = conditionRow({ field: choices[0], operator: "not_empty", value: "" }, choices);
    conditionRows.append(row);
    replaceSelected([fromForm(single, "condition")]);
    commit();
    row.querySelector("select")?.focus();
  } else if (event.target.closest("[data-remove-condition]")) {
    event.target.closest("[data-condition]").remove();
    const [single] = selectedFields();
    replaceSelected([fromForm(single, "condition")]);
    commit();
  }
});

// --- Thumbnails: the page in view is the current one ----------------------------------------

const thumbnails = new Map(
  [...root.querySelectorAll(".ed-thumbs a")].map((link) => [
    Number(link.getAttribute("href").replace("#ed-page-", "")),
    link,
  ]),
);
let currentPage = -1;
function markCurrentPage() {
  const page = visiblePage();
  if (page === currentPage) return;
  thumbnails.get(currentPage)?.removeAttribute("aria-current");
  thumbnails.get(page)?.setAttribute("aria-current", "true");
  thumbnails.get(page)?.scrollIntoView({ block: "nearest" });
  currentPage = page;
}
let scrollPending = false;
window.addEventListener(
  "scroll",
  () => {
    if (scrollPending) return;
    scrollPending = true;
    requestAnimationFrame(() => {
      scrollPending = false;
      markCurrentPage();
    });
  },
  { passive: true },
);
markCurrentPage();

// --- Zoom ----------------------------------------------------------------------------------

const zoom = root.querySelector("[data-zoom]");
const pagesColumn = root.querySelector(".ed-pages");
zoom.addEventListener("change", () => {
  const page = visiblePage();
  pagesColumn.style.setProperty("--zoom", zoom.value);
  pageElements.get(page)?.scrollIntoView({ block: "start" });
});

// --- Page images: placeholders until ready --------------------------------------------------

function watchImage(image) {
  let attempts = 0;
  const holder = image.closest("[data-image-holder]");
  const source = image.getAttribute("src");
  const retry = async () => {
    holder.classList.add("is-loading");
    attempts += 1;
    let wait = 2;
    try {
      const answer = await fetch(source, { credentials: "same-origin" });
      if (answer.ok) {
        image.src = `${source}&attempt=${attempts}`;
        return;
      }
      const after = Number(answer.headers.get("Retry-After"));
      if (answer.status !== 404 || !after) {
        holder.classList.add("is-unavailable");
        return;
      }
      wait = after;
    } catch {
      wait = 5;
    }
    if (attempts > 120) {
      holder.classList.add("is-unavailable");
      return;
    }
    setTimeout(() => {
      image.src = `${source}&attempt=${attempts}`;
    }, wait * 1000);
  };
  image.addEventListener("error", retry);
  image.addEventListener("load", () => holder.classList.remove("is-loading"));
  if (image.complete && image.naturalWidth === 0 && image.getAttribute("src")) retry();
}

for (const image of root.querySelectorAll("[data-image-holder] img")) watchImage(image);

root.classList.add("is-ready");
render();
setStatus("saved");
