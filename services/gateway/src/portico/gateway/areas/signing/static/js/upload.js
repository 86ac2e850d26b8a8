// The new smart document's upload: a drop zone around the file input (drop a file on it,
// or choose one), then the upload sent with XMLHttpRequest to show its progress, then
// "Converting…" while the server reads the document, then the editor. Without this
// module the form posts as it is and the server answers with a redirect or the refusal.

const form = document.querySelector("form[data-upload]");
const input = form?.querySelector("input[type=file]");
const zone = form?.querySelector("[data-drop]");

const lang = document.documentElement.lang || "en";
const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });

function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}

function size(bytes) {
  const [value, unit] =
    bytes >= 1_048_576
      ? [bytes / 1_048_576, "megabyte"]
      : bytes >= 1024
        ? [bytes / 1024, "kilobyte"]
        : [bytes, "byte"];
  const format = new Intl.NumberFormat(lang, {
    style: "unit",
    unit,
    unitDisplay: "short",
    maximumFractionDigits: 1,
  });
  return format.format(value);
}

// The message beside an input (the file, the name): the server's refusal or ours.
function showError(name, message) {
  const target = form.querySelector(`[name="${name}"]`);
  if (!target) return false;
  const field = target.closest(".field");
  const id = `error-${name}`;
  let error = document.getElementById(id);
  if (!message) {
    error?.remove();
    field?.classList.remove("field-invalid");
    target.removeAttribute("aria-invalid");
    const rest = (target.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
    if (rest.length) target.setAttribute("aria-describedby", rest.join(" "));
    else target.removeAttribute("aria-describedby");
    return true;
  }
  if (!error) {
    error = document.createElement("p");
    error.className = "field-error";
    error.id = id;
    (zone && name === input.name ? zone : target).after(error);
  }
  error.textContent = message;
  field?.classList.add("field-invalid");
  target.setAttribute("aria-invalid", "true");
  const described = (target.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
  target.setAttribute("aria-describedby", [id, ...described].join(" "));
  return true;
}

function showMessage(message) {
  let alert = form.querySelector(".alert-error");
  if (!message) {
    alert?.remove();
    return;
  }
  if (!alert) {
    alert = document.createElement("div");
    alert.className = "alert alert-error";
    alert.setAttribute("role", "alert");
    form.querySelector("input[type=hidden]").after(alert);
  }
  alert.textContent = message;
}

function chosen() {
  const label = zone.querySelector("[data-drop-file]");
  const file = input.files?.[0];
  label.hidden = !file;
  label.textContent = file ? `${file.name} · ${size(file.size)}` : "";
  zone.classList.toggle("sd-drop-chosen", Boolean(file));
  if (file) showError(input.name, "");
}

if (form && input && zone) {
  zone.classList.add("sd-drop-ready");
  for (const hidden of zone.querySelectorAll("[data-drop-text], [data-drop-choose]")) hidden.hidden = false;

  input.addEventListener("change", chosen);
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("sd-drop-over");
    });
  }
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("sd-drop-over");
  });
  // A file dropped beside the zone is taken too, rather than opened by the browser in
  // place of the page.
  document.addEventListener("dragover", (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    if (hasFiles(event) && !zone.contains(event.target)) take(event);
  });
  zone.addEventListener("drop", take);

  function take(event) {
    event.preventDefault();
    zone.classList.remove("sd-drop-over");
    if (input.disabled) return;
    const files = event.dataTransfer?.files;
    if (!files?.length) return;
    // One document: the first file dropped.
    const transfer = new DataTransfer();
    transfer.items.add(files[0]);
    input.files = transfer.files;
    // file-limit.js checks the size on "change", as for a file chosen.
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  }

  const progress = form.querySelector("[data-progress]");
  const bar = progress.querySelector("progress");
  const status = progress.querySelector("[data-status]");
  const submit = form.querySelector("button[type=submit]");
  const text = form.dataset;

  function busy(on) {
    submit.disabled = on;
    input.disabled = on;
    zone.classList.toggle("sd-drop-busy", on);
    progress.hidden = !on;
  }

  function step(value) {
    if (value === null) {
      bar.removeAttribute("value");
      status.textContent = text.textConverting;
      return;
    }
    bar.value = Math.round(value * 100);
    status.textContent = text.textUploading.replace("{percent}", percent.format(value));
  }

  // After file-limit.js (capturing) has checked the size: a refused file stops there.
  form.addEventListener("submit", (event) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    if (!input.files?.length) {
      input.reportValidity();
      return;
    }
    const body = new FormData(form);
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", token);
    request.upload.addEventListener("progress", (progressEvent) => {
      if (progressEvent.lengthComputable) step(progressEvent.loaded / progressEvent.total);
    });
    request.upload.addEventListener("load", () => step(null));
    request.addEventListener("load", () => {
      let answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch {
        answer = null;
      }
      if (request.status < 300 && answer?.redirect) {
        window.location.assign(answer.redirect);
        return;
      }
      // Sent elsewhere (the session ended: the login page): go there too.
      const answered = new URL(request.responseURL || form.action, window.location.href);
      if (answered.pathname !== new URL(form.action, window.location.href).pathname) {
        window.location.assign(answered.href);
        return;
      }
      busy(false);
      if (answer?.errors || answer?.message) {
        const unplaced = [];
        for (const [name, message] of Object.entries(answer.errors || {})) {
          if (!showError(name, message)) unplaced.push(message);
        }
        showMessage([answer.message, ...unplaced].filter(Boolean).join(" "));
      } else if (request.status === 413) {
        showError(input.name, text.textTooLarge);
      } else {
        // Not an answer of this page's (an error page, a proxy's): say so, with its status.
        showMessage(text.textError.replace("{status}", String(request.status)));
      }
      form.querySelector("[aria-invalid='true']")?.focus();
    });
    request.addEventListener("error", () => {
      busy(false);
      showMessage(text.textFailed);
    });
    showMessage("");
    showError("name", "");
    busy(true);
    step(0);
    request.send(body);
  });
}
