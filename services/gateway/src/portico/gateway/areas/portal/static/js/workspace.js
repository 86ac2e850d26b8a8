// A workspace's page: a section's form errors (422) are swapped in like any answer, and
// the thread of messages stays scrolled to the newest one while the reader is there.

const NEAR_BOTTOM = 48;
let following = true;

function thread() {
  return document.getElementById("thread");
}

function toBottom() {
  const box = thread();
  if (box) box.scrollTop = box.scrollHeight;
}

document.addEventListener("htmx:beforeSwap", (event) => {
  const { xhr, elt } = event.detail;
  if (xhr.status === 422 && elt.closest?.(".workspace")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
  const box = thread();
  if (box) following = box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_BOTTOM;
});

document.addEventListener("htmx:afterSettle", (event) => {
  const elt = event.detail.elt;
  if (elt?.matches?.(".ws-message-form")) {
    // A message was just posted: show it, and be ready for the next one.
    toBottom();
    const field = document.querySelector("#messages textarea");
    if (field && event.detail.xhr?.status !== 422) field.focus();
    else document.querySelector("#messages [aria-invalid='true']")?.focus();
    return;
  }
  if (following) toBottom();
});

// Enter sends a message from a keyboard; Shift+Enter starts a new line.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  if (!field.matches?.(".ws-message-form textarea")) return;
  if (window.matchMedia("(pointer: coarse)").matches) return; // phones: Enter is a new line
  event.preventDefault();
  if (field.value.trim()) field.form.requestSubmit();
});

toBottom();
