// The page's small behaviours; no inline script anywhere (Content-Security-Policy).

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content;

// Every HTMX request that changes something carries the CSRF token.
document.addEventListener("htmx:configRequest", (event) => {
  if (csrfToken) event.detail.headers["X-CSRF-Token"] = csrfToken;
});

// A form that failed comes back under the address it was posted to; the address bar shows
// the page's own, so that reloading or sharing it opens the page rather than a POST route.
const canonical = document.querySelector('link[rel="canonical"]');
if (canonical) {
  const page = new URL(canonical.href);
  if (page.pathname !== location.pathname) {
    history.replaceState(history.state, "", page.pathname + page.search + location.hash);
  }
}

// Toasts leave after a few seconds.
function dismissToasts(root = document) {
  root.querySelectorAll(".toast:not([data-timed])").forEach((toast) => {
    toast.dataset.timed = "1";
    setTimeout(() => toast.remove(), 6000);
  });
}
dismissToasts();
document.addEventListener("htmx:afterSettle", () => dismissToasts());

// Forms and buttons marked data-confirm ask in a dialog first.
const dialog = document.getElementById("confirm-dialog");
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = event.submitter?.dataset.confirm || form.dataset.confirm;
  if (!question || form.dataset.confirmed || !dialog) return;
  event.preventDefault();
  dialog.querySelector("#confirm-dialog-text").textContent = question;
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener(
    "close",
    () => {
      if (dialog.returnValue !== "confirm") return;
      form.dataset.confirmed = "1";
      form.requestSubmit(event.submitter);
      delete form.dataset.confirmed;
    },
    { once: true },
  );
});

// Upload progress: a form with data-progress shows it in the <progress> it names.
document.addEventListener("htmx:xhr:progress", (event) => {
  const target = event.target.dataset?.progress;
  const bar = target && document.getElementById(target);
  if (bar && event.detail.lengthComputable) {
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  }
});

// Settings: a button with data-copy="<input id>" copies that input's value (an API key).
document.addEventListener("click", async (event) => {
  const button = event.target.closest?.("[data-copy]");
  const input = button && document.getElementById(button.dataset.copy);
  if (!input) return;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy");
  }
  if (button.dataset.copied) button.textContent = button.dataset.copied;
});
