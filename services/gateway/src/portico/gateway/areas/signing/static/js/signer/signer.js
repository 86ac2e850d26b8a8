// The signer's page: the document's pages with the signer's fields on them (or, on a
// phone, one field at a time), conditions and formulas as they type, signatures, drafts
// saved as they go, submit, decline, or pass it on to someone else (forward.js). The page
// carries the document as JSON (#signer-data) with every sentence it says, translated by
// the server.

import { createControl, element, labelOf } from "./controls.js";
import { evaluateForm, fillable, filled, isRequired, prepare, problemOf, readingOrder } from "./form-state.js";
import { setUpForward } from "./forward.js";
import { ImageProblem, fileValue, shrinkImage, storedValue } from "./images.js";
import { SignaturePad } from "./signature-pad.js";

const data = JSON.parse(document.getElementById("signer-data").textContent);
const strings = data.strings;
const root = document.querySelector("[data-signer]");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const language = document.documentElement.lang || "en";
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || null;
const SAVE_DELAY = 1500;
const acting = data.state === "sign";

function format(text, params = {}) {
  return text.replace(/%\((\w+)\)s/g, (_match, key) => (key in params ? String(params[key]) : ""));
}

// The time zone travelled in the address on the first opening: the address bar drops it.
if (new URL(location.href).searchParams.has("time_zone")) {
  const url = new URL(location.href);
  url.searchParams.delete("time_zone");
  history.replaceState(null, "", url);
}

// --- The form ------------------------------------------------------------------------------

const fields = data.fields.map((field, index) => ({ ...field, index }));
const prepared = prepare(fields);
const mineFillable = fields.filter((field) => field.mine && fillable(field) && acting).sort(readingOrder);
const values = {};
const others = {};
for (const field of fields) {
  if (field.value === null || field.value === undefined) continue;
  if (field.mine && fillable(field) && acting) values[field.name] = field.value;
  else others[field.name] = field.value;
}
let evaluation = evaluateForm(prepared, { ...others, ...values });
const errors = new Map(); // field name → message shown beside it
const touched = new Set();
const stored = new Map(); // field name → {url, ref}: an image the service has kept
const adopted = {}; // signature / initials adopted in the dialog, for the next fields
const views = new Map(); // field name → [{control, box}]
let guideControl = null;

const form = {
  strings,
  readOnly: !acting,
  isRequired: (field) => field.mine && acting && isRequired(field),
  set(name, value, source, { typing = false } = {}) {
    if (filled(value)) values[name] = value;
    else delete values[name];
    const field = fields.find((each) => each.name === name);
    if (errors.has(name) || (!typing && touched.has(name))) validate(field);
    refresh(source);
    scheduleSave();
  },
  touched(field) {
    touched.add(field.name);
    validate(field);
  },
  sign: (field, control) => openSignature(field, control),
  upload: (field, file, control) => upload(field, file, control),
};

function message(problem) {
  const [key, params] = problem;
  if (key === "custom") return params.message;
  return format(strings[key], params);
}

function validate(field, { final = false } = {}) {
  if (!evaluation.visible.has(field.name)) {
    setError(field.name, null);
    return true;
  }
  const problem = problemOf(field, values[field.name], { final });
  setError(field.name, problem ? message(problem) : null);
  return !problem;
}

function setError(name, text) {
  if (text) errors.set(name, text);
  else errors.delete(name);
  for (const view of views.get(name) || []) showError(view, text);
  if (guideControl?.field.name === name) showError({ control: guideControl, box: guideControl.wrapper }, text);
}

function showError(view, text) {
  const holder = view.errorElement || document.getElementById(view.control.errorId);
  if (holder) holder.textContent = text || "";
  view.box?.classList.toggle("is-invalid", Boolean(text));
  view.control.input?.setAttribute("aria-invalid", text ? "true" : "false");
}

function refresh(source) {
  evaluation = evaluateForm(prepared, { ...others, ...values });
  for (const field of fields) {
    const shown = evaluation.visible.has(field.name);
    for (const view of views.get(field.name) || []) {
      if (view.box) view.box.hidden = !shown;
      if (view.control === source) continue;
      if (field.formula) view.control.show(evaluation.values[field.name]);
      else if (field.mine && acting) view.control.show(values[field.name]);
      if (view.box) view.box.classList.toggle("is-filled", filled(field.formula ? evaluation.values[field.name] : values[field.name] ?? field.value));
    }
    if (!shown && errors.has(field.name)) setError(field.name, null);
  }
  if (guideControl && guideControl !== source) guideControl.show(values[guideControl.field.name]);
  updateProgress();
}

function requiredFields() {
  return mineFillable.filter((field) => evaluation.visible.has(field.name) && isRequired(field));
}

function complete(field) {
  return filled(values[field.name]) && !problemOf(field, values[field.name]);
}

// --- Pages ---------------------------------------------------------------------------------

const pagesHolder = root.querySelector("[data-pages]");
const pageUrl = (index) => data.urls.page.replace("{index}", index);

function retryImage(image, holder) {
  let attempts = 0;
  image.addEventListener("error", () => {
    holder?.classList.add("is-loading");
    attempts += 1;
    if (attempts > 60) {
      holder?.classList.add("is-unavailable");
      return;
    }
    setTimeout(() => {
      image.src = `${pageUrl(image.dataset.page)}&attempt=${attempts}`;
    }, 2000);
  });
  image.addEventListener("load", () => holder?.classList.remove("is-loading"));
}

const lazy = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const image = entry.target.querySelector("img[data-page]");
      if (image && !image.src) image.src = pageUrl(image.dataset.page);
      lazy.unobserve(entry.target);
    }
  },
  { rootMargin: "1200px 0px" },
);

function buildPages() {
  const byPage = new Map();
  for (const field of fields) {
    if (!byPage.has(field.page)) byPage.set(field.page, []);
    byPage.get(field.page).push(field);
  }
  data.pages.forEach((page, index) => {
    const section = element("section", {
      class: "sg-page",
      "data-page-index": index,
      "aria-label": format(strings.pageOf, { number: index + 1, total: data.pages.length }),
    });
    section.style.setProperty("--ratio", `${page.width} / ${page.height}`);
    const image = element("img", { alt: "", "data-page": index, width: 1200, decoding: "async" });
    const holder = element("div", { class: "sg-page-image is-loading" }, image, element("p", { class: "sg-page-waiting", text: strings.notReady }));
    retryImage(image, holder);
    const layer = element("div", { class: "sg-layer" });
    for (const field of (byPage.get(index) || []).sort(readingOrder)) layer.append(fieldBox(field, page));
    section.append(holder, layer);
    pagesHolder.append(section);
    lazy.observe(section);
  });
}

function fieldBox(field, page) {
  const control = createControl(field, field.index, form);
  const mine = field.mine && acting;
  const box = element("div", {
    class: `sg-field sg-type-${field.type}${mine ? " is-mine" : " is-other"}${form.isRequired(field) ? " is-required" : ""}${field.formula ? " is-computed" : ""}`,
    "data-field": field.name,
  });
  for (const axis of ["x", "y", "w", "h"]) box.style.setProperty(`--${axis}`, field[axis]);
  box.style.setProperty("--font", (field.font_size || 11) / page.width);
  box.append(control.element);
  const view = { control, box };
  if (mine && !field.formula) {
    const error = element("p", { class: "sg-field-error", id: control.errorId, role: "alert" });
    box.append(error);
    view.errorElement = error;
    control.element.addEventListener?.("focusin", () => {
      current = field;
    });
  }
  if (!views.has(field.name)) views.set(field.name, []);
  views.get(field.name).push(view);
  if (field.formula) control.show(evaluation.values[field.name]);
  else if (mine) control.show(values[field.name]);
  box.hidden = !evaluation.visible.has(field.name);
  box.classList.toggle("is-filled", filled(field.formula ? evaluation.values[field.name] : values[field.name] ?? field.value));
  return box;
}

// --- Progress, next and finish -------------------------------------------------------------

const bar = document.querySelector("[data-bar]");
const progressText = bar?.querySelector("[data-progress]");
const progressBar = bar?.querySelector("[data-progress-bar]");
const nextButton = bar?.querySelector("[data-next]");
const backButton = bar?.querySelector("[data-back]");
const finishButton = bar?.querySelector("[data-finish]");
const consent = bar?.querySelector("[data-consent]");
const announcer = document.querySelector("[data-announce]");
let current = null;
let started = false;

function updateProgress() {
  if (!bar) return;
  const required = requiredFields();
  const done = required.filter(complete).length;
  progressText.textContent = required.length
    ? format(strings.progress, { done, total: required.length })
    : strings.progressNone;
  progressBar.max = Math.max(required.length, 1);
  progressBar.value = required.length ? done : 1;
  const ready = done === required.length;
  if (mode === "guide") {
    const list = guideFields();
    const last = step >= list.length - 1;
    nextButton.textContent = strings.next;
    nextButton.hidden = last;
    finishButton.hidden = !last;
    backButton.hidden = false;
    backButton.disabled = step === 0;
    consent.hidden = !last;
  } else {
    nextButton.hidden = ready && (started || !mineFillable.length);
    nextButton.textContent = started ? strings.next : strings.start;
    finishButton.hidden = !ready;
    backButton.hidden = true;
    consent.hidden = !ready;
  }
}

function goTo(field) {
  current = field;
  const view = (views.get(field.name) || [])[0];
  if (!view) return;
  view.box.scrollIntoView({ block: "center", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
  for (const each of root.querySelectorAll(".sg-field.is-current")) each.classList.remove("is-current");
  view.box.classList.add("is-current");
  const focus = view.control.input || view.control.element;
  if (view.control.field.type === "radio" || view.control.field.type === "multiple") view.control.focus();
  else focus.focus({ preventScroll: true });
}

function nextRequired() {
  const required = requiredFields();
  const start = current ? mineFillable.indexOf(current) : -1;
  const after = required.filter((field) => mineFillable.indexOf(field) > start && !complete(field));
  return after[0] || required.find((field) => !complete(field)) || null;
}

function next() {
  if (mode === "guide") {
    guideStep(1);
    return;
  }
  started = true;
  const field = nextRequired();
  if (field) goTo(field);
  updateProgress();
  if (!field) finishButton.focus();
}

async function finish() {
  const invalid = [];
  for (const field of mineFillable) if (!validate(field, { final: true })) invalid.push(field);
  if (invalid.length) {
    announce(format(strings.fixErrors, { count: invalid.length }));
    showFirst(invalid[0]);
    return;
  }
  await submit();
}

function showFirst(field) {
  if (mode === "guide") {
    const list = guideFields();
    step = Math.max(0, list.indexOf(field));
    renderGuide();
    guideControl?.focus();
  } else {
    goTo(field);
  }
}

function announce(text) {
  if (!announcer) return;
  announcer.textContent = "";
  requestAnimationFrame(() => {
    announcer.textContent = text;
  });
}

// --- Saving, submitting, declining ---------------------------------------------------------

const saveStatus = document.querySelector("[data-save-status]");
let saveTimer = null;
let saving = null;
let saveAgain = false;
let dirty = false;
let closed = false;

async function send(method, url, body, options = {}) {
  try {
    const response = await fetch(url, {
      method,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "Accept-Language": language,
        "X-CSRF-Token": csrf,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      ...options,
    });
    let answer = null;
    try {
      answer = await response.json();
    } catch {
      answer = null;
    }
    return { ok: response.ok, status: response.status, body: answer };
  } catch {
    return { ok: false, status: 0, body: null };
  }
}

// What is sent: the values of the fields shown. A draft leaves out a value still being
// typed that would be refused (a half-typed email): the rest of the draft is kept.
function payload({ draft = false, without = new Set() } = {}) {
  const posted = {};
  const images = [];
  for (const field of mineFillable) {
    if (!evaluation.visible.has(field.name) || without.has(field.name)) continue;
    const value = values[field.name];
    if (!filled(value)) continue;
    if (draft && problemOf(field, value)) continue;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      if (value.image) {
        const kept = stored.get(field.name);
        if (kept && kept.url === value.image) posted[field.name] = kept.ref;
        else {
          posted[field.name] = { image: value.image };
          images.push([field.name, value.image]);
        }
      } else if (value.typed) posted[field.name] = { typed: value.typed };
      else if (value.file) posted[field.name] = { file: value.file, kind: value.kind };
    } else {
      posted[field.name] = typeof value === "string" ? value.trim() : value;
    }
  }
  return { posted, images };
}

// The images just sent are kept by the service: later requests send their address.
async function remember(images) {
  for (const [name, url] of images) {
    const ref = await storedValue(data.submissionId, url);
    if (ref) stored.set(name, { url, ref });
  }
}

// A stored address the service did not recognise: the image travels again in full.
function forgetRefused(answer) {
  const forgotten = new Set();
  for (const error of answer?.errors || []) {
    if (error.code === "image_type" && stored.has(error.field)) {
      stored.delete(error.field);
      forgotten.add(error.field);
    }
  }
  return forgotten;
}

function scheduleSave() {
  if (!acting || closed) return;
  dirty = true;
  setSaveStatus(strings.saving, "pending");
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveDraft, SAVE_DELAY);
}

async function saveDraft() {
  clearTimeout(saveTimer);
  if (closed) return true;
  if (saving) {
    saveAgain = true;
    return saving;
  }
  dirty = false;
  setSaveStatus(strings.saving, "saving");
  saving = (async () => {
    let { posted, images } = payload({ draft: true });
    let answer = await send("PUT", data.urls.draft, { values: posted, time_zone: timeZone });
    if (answer.status === 422) {
      // An image address the service did not recognise travels again in full; a value
      // it refuses is shown beside its field and left out, so the rest is kept.
      const forgotten = forgetRefused(answer.body);
      const refused = new Set();
      for (const error of answer.body?.errors || []) {
        if (forgotten.has(error.field)) continue;
        refused.add(error.field);
        setError(error.field, error.message);
      }
      ({ posted, images } = payload({ draft: true, without: refused }));
      answer = await send("PUT", data.urls.draft, { values: posted, time_zone: timeZone });
    }
    if (answer.ok) {
      await remember(images);
      // A change made meanwhile is not saved yet: its own save follows.
      if (dirty) setSaveStatus(strings.saving, "pending");
      else setSaveStatus(strings.saved, "saved");
      return true;
    }
    handleRefusal(answer);
    dirty = true;
    return false;
  })();
  const result = await saving;
  saving = null;
  if (saveAgain) {
    saveAgain = false;
    return saveDraft();
  }
  return result;
}

function setSaveStatus(text, state) {
  if (!saveStatus) return;
  saveStatus.textContent = text;
  saveStatus.dataset.state = state;
}

function handleRefusal(answer) {
  if ([403, 404, 409, 410].includes(answer.status)) {
    closed = true;
    location.reload();
    return;
  }
  if (answer.status === 422 && answer.body?.errors) {
    const invalid = [];
    for (const error of answer.body.errors) {
      const field = fields.find((each) => each.name === error.field);
      if (field) {
        setError(field.name, error.message);
        invalid.push(field);
      }
    }
    setSaveStatus(answer.body.title, "invalid");
    announce(answer.body.title);
    return invalid;
  }
  setSaveStatus(answer.status ? answer.body?.title || strings.offline : strings.notSaved, "failed");
  announce(answer.body?.title || strings.offline);
  return [];
}

async function submit() {
  clearTimeout(saveTimer);
  if (saving) await saving;
  finishButton.disabled = true;
  setSaveStatus(strings.submitting, "saving");
  let { posted } = payload();
  let answer = await send("POST", data.urls.submit, { values: posted, time_zone: timeZone });
  if (answer.status === 422 && forgetRefused(answer.body).size) {
    ({ posted } = payload());
    answer = await send("POST", data.urls.submit, { values: posted, time_zone: timeZone });
  }
  finishButton.disabled = false;
  if (answer.ok) {
    closed = true;
    showOutcome(answer.body);
    return;
  }
  const invalid = handleRefusal(answer);
  if (invalid?.length) showFirst(invalid[0]);
}

// --- After: done, declined -----------------------------------------------------------------

function showOutcome(outcome) {
  root.dataset.state = outcome.state;
  for (const panel of root.querySelectorAll("[data-panel]")) {
    const shown = panel.dataset.panel === outcome.state;
    panel.hidden = !shown;
  }
  for (const part of document.querySelectorAll("[data-while-signing]")) part.hidden = true;
  document.body.classList.remove("sg-guiding");
  const panel = root.querySelector(`[data-panel="${outcome.state}"]`);
  if (outcome.state === "done") showDone(panel, outcome);
  const heading = panel?.querySelector("h2");
  heading?.setAttribute("tabindex", "-1");
  heading?.focus();
  window.scrollTo({ top: 0 });
}

function showDone(panel, outcome) {
  const download = panel.querySelector("[data-done-download]");
  const preparing = panel.querySelector("[data-done-preparing]");
  const waiting = panel.querySelector("[data-done-waiting]");
  if (download) download.hidden = !outcome.completed;
  preparing.hidden = outcome.completed || outcome.status !== "completed";
  waiting.hidden = outcome.status === "completed";
  if (!outcome.completed && outcome.status === "completed") pollCompleted(panel);
}

async function pollCompleted(panel, attempt = 0) {
  if (attempt > 80) return;
  await new Promise((resolve) => {
    setTimeout(resolve, 3000);
  });
  const answer = await send("GET", data.urls.status);
  if (answer.ok && answer.body.completed) showDone(panel, answer.body);
  else pollCompleted(panel, attempt + 1);
}

if (!acting && data.state === "done") {
  const panel = root.querySelector('[data-panel="done"]');
  if (panel && panel.dataset.status === "completed" && panel.dataset.completed !== "true") pollCompleted(panel);
}

const declineDialog = document.querySelector("[data-decline-dialog]");
function setUpDecline() {
  if (!declineDialog) return;
  const formElement = declineDialog.querySelector("form");
  const reason = formElement.querySelector("textarea");
  const error = formElement.querySelector("[data-decline-error]");
  for (const opener of document.querySelectorAll("[data-decline-open]")) {
    opener.addEventListener("click", () => {
      error.textContent = "";
      declineDialog.showModal();
      reason.focus();
    });
  }
  declineDialog.querySelector("[data-decline-cancel]").addEventListener("click", () => declineDialog.close());
  formElement.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      error.textContent = strings.required;
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return;
    }
    const button = formElement.querySelector("[type=submit]");
    button.disabled = true;
    const answer = await send("POST", data.urls.decline, { reason: reason.value.trim(), time_zone: timeZone });
    button.disabled = false;
    if (answer.ok) {
      closed = true;
      clearTimeout(saveTimer);
      declineDialog.close();
      showOutcome(answer.body);
    } else if ([403, 404, 409, 410].includes(answer.status)) {
      location.reload();
    } else {
      error.textContent = answer.body?.errors?.[0]?.message || answer.body?.title || strings.offline;
    }
  });
}

function setUpForwarding() {
  setUpForward(document.querySelector("[data-forward-dialog]"), {
    url: data.urls.forward,
    strings,
    send,
    timeZone,
    // A draft on its way lands first: once passed on, the link refuses it.
    async beforeSend() {
      clearTimeout(saveTimer);
      if (saving) await saving;
    },
    onForwarded(name) {
      closed = true;
      clearTimeout(saveTimer);
      root.querySelector("[data-forwarded-to]").textContent = format(strings.forwarded, { name });
      showOutcome({ state: "forwarded" });
    },
  });
}

// --- Signatures and uploads ----------------------------------------------------------------

const signDialog = document.querySelector("[data-sign-dialog]");
let pad = null;
let signing = null;
let signTab = "draw";
let signUpload = null;

function initialsOf(name) {
  return name
    .split(/[\s-]+/u)
    .filter(Boolean)
    .map((word) => Array.from(word)[0].toUpperCase())
    .join("");
}

function setUpSignature() {
  if (!signDialog) return;
  pad = new SignaturePad(signDialog.querySelector("[data-pad]"), { onChange: () => setSignError("") });
  const tabs = [...signDialog.querySelectorAll("[role=tab]")];
  const select = (name) => {
    signTab = name;
    for (const tab of tabs) {
      const chosen = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", chosen ? "true" : "false");
      tab.tabIndex = chosen ? 0 : -1;
    }
    for (const panel of signDialog.querySelectorAll("[data-tab-panel]")) panel.hidden = panel.dataset.tabPanel !== name;
    if (name === "draw") pad.layout();
    setSignError("");
  };
  for (const tab of tabs) {
    tab.addEventListener("click", () => select(tab.dataset.tab));
    tab.addEventListener("keydown", (event) => {
      const at = tabs.indexOf(tab);
      const move = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!move) return;
      const target = tabs[(at + move + tabs.length) % tabs.length];
      select(target.dataset.tab);
      target.focus();
    });
  }
  signDialog.selectTab = select;
  const typed = signDialog.querySelector("[data-typed]");
  const preview = signDialog.querySelector("[data-typed-preview]");
  typed.addEventListener("input", () => {
    preview.textContent = typed.value;
  });
  signDialog.querySelector("[data-pad-clear]").addEventListener("click", () => pad.clear());
  const uploadInput = signDialog.querySelector("[data-sign-upload]");
  const uploadPreview = signDialog.querySelector("[data-upload-preview]");
  uploadInput.addEventListener("change", async () => {
    const file = uploadInput.files[0];
    if (!file) return;
    try {
      signUpload = await shrinkImage(file);
      uploadPreview.src = signUpload;
      uploadPreview.hidden = false;
      setSignError("");
    } catch (problem) {
      signUpload = null;
      uploadPreview.hidden = true;
      setSignError(strings[problem instanceof ImageProblem ? problem.key : "unreadable"]);
    }
  });
  signDialog.querySelector("[data-sign-cancel]").addEventListener("click", () => signDialog.close());
  signDialog.querySelector("[data-use-signature]").addEventListener("click", () => applySignature(adopted.signature));
  signDialog.querySelector("[data-sign-apply]").addEventListener("click", () => {
    let value = null;
    if (signTab === "draw") {
      const url = pad.toDataUrl();
      if (!url) return setSignError(strings.empty);
      value = { image: url };
    } else if (signTab === "type") {
      const text = typed.value.trim();
      if (!text) return setSignError(strings.required);
      value = { typed: text.slice(0, 100) };
    } else {
      if (!signUpload) return setSignError(strings.required);
      value = { image: signUpload };
    }
    return applySignature(value);
  });
  signDialog.addEventListener("close", () => {
    const opener = signing?.control;
    signing = null;
    (guideControl?.field === opener?.field ? guideControl : opener)?.input?.focus({ preventScroll: true });
  });
}

function setSignError(text) {
  signDialog.querySelector("[data-sign-error]").textContent = text;
}

function applySignature(value) {
  if (!signing) return;
  const { field, control } = signing;
  adopted[field.type] = value;
  signDialog.close();
  form.set(field.name, value, null);
  validate(field);
  control?.show(values[field.name]);
}

function openSignature(field, control) {
  signing = { field, control };
  // A signature adopted once is placed on the next empty field with a tap, as on paper.
  if (adopted[field.type] && !filled(values[field.name])) {
    applySignature(adopted[field.type]);
    return;
  }
  const initials = field.type === "initials";
  const kind = initials ? strings.initialsOf : strings.signatureOf;
  signDialog.querySelector("[data-sign-title]").textContent = field.label && field.label !== kind ? `${kind} — ${field.label}` : kind;
  signDialog.querySelector("[data-apply-label]").textContent = initials ? strings.adoptInitials : strings.adoptSignature;
  const typed = signDialog.querySelector("[data-typed]");
  typed.value = initials ? initialsOf(data.signerName) : data.signerName;
  signDialog.querySelector("[data-typed-preview]").textContent = typed.value;
  signDialog.querySelector("[data-use-signature]").hidden = !(initials && adopted.signature);
  setSignError("");
  pad.strokes = [];
  signDialog.showModal();
  signDialog.selectTab(signTab);
}

async function upload(field, file, control) {
  try {
    const url = field.type === "file" ? await fileValue(file, data.maxValueBytes) : await shrinkImage(file);
    form.set(field.name, { image: url, name: file.name }, null);
    validate(field);
  } catch (problem) {
    const key = problem instanceof ImageProblem ? problem.key : "unreadable";
    setError(field.name, format(strings[key], { size: strings.maxSize }));
  }
  control?.focus();
}

// --- One field at a time (phones) ----------------------------------------------------------

const guide = root.querySelector("[data-guide]");
const modeToggle = document.querySelector("[data-toggle-mode]");
const phone =
  matchMedia("(max-width: 480px)").matches ||
  (matchMedia("(max-height: 480px)").matches && matchMedia("(pointer: coarse)").matches);
let mode = acting && phone && mineFillable.length ? "guide" : "document";
let step = 0;

function guideFields() {
  return mineFillable.filter((field) => evaluation.visible.has(field.name));
}

// The part of the page around the field, the field outlined.
function crop(field) {
  const page = data.pages[field.page];
  const aspect = page.height / page.width;
  const width = Math.min(1, Math.max(field.w + 0.16, 0.55));
  const height = Math.min(1, Math.max(field.h + 0.08, (0.42 * width) / aspect));
  const left = Math.min(Math.max(field.x + field.w / 2 - width / 2, 0), 1 - width);
  const top = Math.min(Math.max(field.y + field.h / 2 - height / 2, 0), 1 - height);
  const holder = guide.querySelector("[data-guide-crop]");
  const values = {
    "--rx": left,
    "--ry": top,
    "--rw": width,
    "--rh": height,
    "--aspect": aspect,
    "--bx": (field.x - left) / width,
    "--by": (field.y - top) / height,
    "--bw": field.w / width,
    "--bh": field.h / height,
  };
  for (const [name, value] of Object.entries(values)) holder.style.setProperty(name, value);
  holder.style.setProperty("--crop-ratio", `${width} / ${height * aspect}`);
  const image = holder.querySelector("img");
  if (image.dataset.page !== String(field.page)) {
    holder.classList.add("is-loading");
    image.dataset.page = field.page;
    image.src = pageUrl(field.page);
  }
}

function renderGuide() {
  const list = guideFields();
  if (!list.length) return;
  step = Math.min(Math.max(step, 0), list.length - 1);
  const field = list[step];
  current = field;
  crop(field);
  const page = format(strings.pageOf, { number: field.page + 1, total: data.pages.length });
  guide.querySelector("[data-guide-step]").textContent = `${format(strings.fieldOf, { number: step + 1, total: list.length })} · ${page}`;
  const holder = guide.querySelector("[data-guide-field]");
  const control = createControl(field, field.index, form, { large: true });
  const labelId = "sg-guide-label";
  const required = isRequired(field);
  const label = element(
    ["radio", "multiple", "signature", "initials", "image", "stamp", "file", "checkbox"].includes(field.type) ? "p" : "label",
    { class: "sg-guide-label", id: labelId, for: control.id },
    element("span", { text: labelOf(field) }),
    required ? element("span", { class: "required", "aria-hidden": "true", text: " *" }) : element("span", { class: "muted", text: ` (${strings.optional})` }),
  );
  if (label.tagName === "P") {
    const target = control.element.matches("fieldset, button") ? control.element : control.input;
    target?.setAttribute("aria-labelledby", `${labelId} ${target.id}`);
    if (control.element.matches("fieldset")) control.element.setAttribute("aria-labelledby", labelId);
  }
  const error = element("p", { class: "sg-field-error", id: control.errorId, role: "alert" });
  const wrapper = element("div", { class: `sg-guide-control sg-type-${field.type}` }, control.element);
  holder.replaceChildren(...(field.type === "checkbox" ? [] : [label]), wrapper, error);
  control.wrapper = wrapper;
  guideControl = control;
  control.show(values[field.name]);
  showError({ control, box: wrapper, errorElement: error }, errors.get(field.name) || null);
  updateProgress();
}

function guideStep(direction) {
  const list = guideFields();
  const field = list[step];
  if (direction > 0 && field && !validate(field, { final: true })) {
    guideControl?.focus();
    return;
  }
  step += direction;
  renderGuide();
  guideControl?.focus();
}

function setMode(chosen) {
  mode = chosen;
  document.body.classList.toggle("sg-guiding", mode === "guide");
  guide.hidden = mode !== "guide";
  pagesHolder.hidden = mode === "guide";
  if (modeToggle) modeToggle.textContent = mode === "guide" ? strings.wholeDocument : strings.guide;
  if (mode === "guide") renderGuide();
  else {
    guideControl = null;
    updateProgress();
    if (current) goTo(current);
  }
}

// --- Start ---------------------------------------------------------------------------------

if (pagesHolder) buildPages();
if (acting) {
  const cropImage = guide.querySelector("[data-guide-crop] img");
  cropImage.addEventListener("load", () => cropImage.parentElement.classList.remove("is-loading"));
  retryImage(cropImage, null);
  nextButton.addEventListener("click", next);
  backButton.addEventListener("click", () => guideStep(-1));
  finishButton.addEventListener("click", () => (mode === "guide" ? guideFinish() : finish()));
  modeToggle?.addEventListener("click", () => setMode(mode === "guide" ? "document" : "guide"));
  for (const later of document.querySelectorAll("[data-save-later]")) {
    later.addEventListener("click", async () => {
      if (await saveDraft()) {
        setSaveStatus(strings.savedLater, "saved");
        announce(strings.savedLater);
      }
    });
  }
  setUpDecline();
  setUpForwarding();
  setUpSignature();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && dirty && !closed) saveDraft();
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !closed) event.preventDefault();
  });
  setMode(mode);
  updateProgress();
}

async function guideFinish() {
  const list = guideFields();
  const field = list[step];
  if (field && !validate(field, { final: true })) {
    guideControl?.focus();
    return;
  }
  await finish();
}

