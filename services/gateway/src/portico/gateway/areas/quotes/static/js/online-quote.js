// The online quote (/q/<token>): the page works as plain forms; this module makes them
// easier. Ticking an optional line submits the options and redraws the lines and totals
// from the answer; the signature is drawn on the signer's pad (typed as the fallback); the
// browser's time zone goes with the acceptance, so the signed quote prints its time as the
// client saw it.

import { SignaturePad } from "../../signing/js/signer/signature-pad.js";

const page = document.querySelector("[data-online-quote]");

function noteTimeZone() {
  const field = page.querySelector("[data-time-zone]");
  if (!field) return;
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    // An old browser: the service keeps the acceptance without it.
  }
}

// The options: each tick submits the choices form; its answer (the page) gives the lines
// and totals again. The button stays for a browser without script.
function setUpChoices() {
  const form = page.querySelector("[data-choices]");
  if (!form) return;
  form.querySelector("[data-choices-submit]").hidden = true;
  let pending = null;
  page.addEventListener("change", (event) => {
    if (event.target.matches("[data-option]")) form.requestSubmit();
  });
  page.addEventListener("submit", async (event) => {
    if (!event.target.matches("[data-choices]")) return;
    event.preventDefault();
    const sent = event.target;
    const focused = document.activeElement?.matches("[data-option]") ? document.activeElement.value : null;
    pending?.abort();
    pending = new AbortController();
    let answer;
    try {
      // URL-encoded as the form itself posts it: the gateway refuses a multipart body from
      // a visitor without a session.
      const body = new URLSearchParams(new FormData(sent));
      answer = await fetch(sent.action, { method: "POST", body, signal: pending.signal });
    } catch (error) {
      if (error.name !== "AbortError") sent.submit(); // the server unreachable: the plain form says so
      return;
    }
    const html = new DOMParser().parseFromString(await answer.text(), "text/html");
    const figures = html.querySelector("[data-figures]");
    if ((!answer.ok && answer.status !== 422) || !figures) {
      // The quote can no longer be answered (accepted in another tab, expired): the form
      // posted as without script shows the page saying why.
      sent.submit();
      return;
    }
    const current = page.querySelector("[data-figures]");
    current.replaceWith(figures);
    figures.querySelector("[data-choices-submit]")?.setAttribute("hidden", "");
    if (focused) figures.querySelector(`[data-option][value="${CSS.escape(focused)}"]`)?.focus();
    const total = figures.querySelector(".quote-grand-total");
    const status = page.querySelector("[data-total-status]");
    if (total && status) status.textContent = `${total.querySelector("th").textContent}: ${total.querySelector("td").textContent}`;
  });
}

// The signature: drawn on the pad, or typed. Only the chosen one is sent (the other's
// inputs are disabled), so the service never receives both.
function setUpSignature() {
  const box = page.querySelector("[data-signature]");
  if (!box) return;
  const form = box.closest("form");
  const draw = box.querySelector("[data-draw]");
  const type = box.querySelector("[data-type]");
  const png = box.querySelector("[data-signature-png]");
  const typed = box.querySelector("[data-typed]");
  const preview = box.querySelector("[data-typed-preview]");
  const kept = box.querySelector("[data-signature-kept]");
  const drawAgain = type.querySelector('[data-use="drawn"]');

  function use(kind) {
    const drawing = kind === "drawn";
    draw.hidden = !drawing;
    type.hidden = drawing;
    drawAgain.hidden = drawing;
    typed.disabled = drawing;
    png.disabled = !drawing;
    if (drawing) pad.layout();
  }

  draw.hidden = false;
  const pad = new SignaturePad(box.querySelector("[data-pad]"), {
    onChange: () => {
      // A new drawing replaces the one kept from a refused attempt.
      if (!pad.empty && kept) kept.hidden = true;
    },
  });
  box.querySelector("[data-pad-clear]").addEventListener("click", () => {
    pad.clear();
    png.value = "";
    if (kept) kept.hidden = true;
  });
  box.querySelector('[data-use="typed"]').addEventListener("click", () => {
    use("typed");
    typed.focus();
  });
  drawAgain.addEventListener("click", () => use("drawn"));
  typed.addEventListener("input", () => {
    preview.textContent = typed.value;
  });
  form.addEventListener("submit", () => {
    if (!png.disabled && !pad.empty) png.value = pad.toDataUrl();
  });
  // A typed signature refused or kept from before stays typed; otherwise the pad first.
  use(typed.value && !png.value ? "typed" : "drawn");
}

if (page) {
  noteTimeZone();
  setUpChoices();
  setUpSignature();
}
