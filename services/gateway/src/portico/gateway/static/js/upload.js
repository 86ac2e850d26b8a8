// Upload forms (form[data-upload]): a drop zone around the file input (drop a file on it,
// or choose one), then the form sent with XMLHttpRequest to show its progress, then the
// form's "after the upload" words while the server reads the file. The server answers
// JSON: where to go next ({redirect}), or its refusal ({errors: {input name: message},
// message}), shown beside the inputs without reloading. Without this module the form
// posts as it is and the server answers with a redirect or the page with the refusal.
//
// A page may have several such forms (one per document asked for): each keeps its own
// messages, whose ids start with the form's id when it has one.

const lang = document.documentElement.lang || "en";
const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
const forms = [...document.querySelectorAll("form[data-upload]")];

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

// The same address but for its #fragment: assigning it would only scroll, not load it.
function samePage(url) {
  const here = new URL(window.location.href);
  return url.origin === here.origin && url.pathname === here.pathname && url.search === here.search;
}

function setUp(form) {
  const input = form.querySelector("input[type=file]");
  const zone = form.querySelector("[data-drop]");
  if (!input || !zone) return;
  const prefix = form.id ? `${form.id}-` : "";

  // The message beside an input (the file, a field): the server's refusal or ours.
  function showError(name, message) {
    const target = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!target) return false;
    const field = target.closest(".field");
    const id = `${prefix}error-${name}`;
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
      (name === input.name ? zone : target).after(error);
    }
    error.textContent = message;
    field?.classList.add("field-invalid");
    target.setAttribute("aria-invalid", "true");
    const described = (target.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
    target.setAttribute("aria-describedby", [id, ...described].join(" "));
    return true;
  }

  function clearErrors() {
    const names = new Set([...form.elements].map((element) => element.name).filter(Boolean));
    for (const name of names) showError(name, "");
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
      [...form.querySelectorAll("input[type=hidden]")].at(-1).after(alert);
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
  zone.addEventListener("drop", take);
  // The page's only upload form takes a file dropped beside its zone too, rather than
  // let the browser open it in place of the page; with several, a file dropped between
  // them is for none.
  if (forms.length === 1) {
    document.addEventListener("drop", (event) => {
      if (hasFiles(event) && !zone.contains(event.target)) take(event);
    });
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
      status.textContent = text.textConverting || "";
      return;
    }
    bar.value = Math.round(value * 100);
    status.textContent = text.textUploading.replace("{percent}", percent.format(value));
  }

  function go(address) {
    const target = new URL(address, window.location.href);
    if (samePage(target)) {
      // Reloaded, to show the page as it now is (its toast), at the fragment.
      window.location.hash = target.hash;
      window.location.reload();
    } else {
      window.location.assign(target.href);
    }
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
        go(answer.redirect);
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
    clearErrors();
    busy(true);
    step(0);
    request.send(body);
  });
}

// A file dragged over the page but not onto a zone is not opened by the browser instead.
if (forms.length) {
  document.addEventListener("dragover", (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
}
for (const form of forms) setUp(form);
