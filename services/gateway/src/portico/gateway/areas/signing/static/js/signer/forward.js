// "Someone else should sign": the dialog that passes the request on, where the template
// allows it. The page checks what it can (a name; the address the link or the identity
// check goes to); the server checks it all again and names each field it refuses.

const CONTACTS = ["email", "phone"];

export function setUpForward(dialog, { url, strings, send, timeZone, beforeSend, onForwarded }) {
  if (!dialog) return;
  const form = dialog.querySelector("form");
  const inputs = Object.fromEntries(
    ["name", "email", "phone", "locale", "channel", "reason"].map((name) => [name, form.elements[name]]),
  );
  const general = form.querySelector('[data-forward-error=""]');
  const submitButton = form.querySelector("[type=submit]");
  const identity = form.dataset.identity;

  // What each contact is needed for: the channel chosen, or the identity check.
  function needed(name) {
    if (name === "email") return inputs.channel.value === "email" || identity === "email_code";
    return inputs.channel.value === "sms" || identity === "sms_code";
  }

  function showNeeded() {
    for (const name of CONTACTS) {
      const required = needed(name);
      inputs[name].required = required;
      form.querySelector(`[data-required-mark="${name}"]`).hidden = !required;
    }
  }

  function setError(name, text) {
    const place = form.querySelector(`[data-forward-error="${name}"]`) || general;
    place.textContent = text || "";
    const input = inputs[name];
    if (!input) return;
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function clearErrors() {
    for (const name of Object.keys(inputs)) setError(name, "");
    general.textContent = "";
  }

  function missingMessage(name) {
    const byChannel = inputs.channel.value === (name === "email" ? "email" : "sms");
    if (name === "email") return byChannel ? strings.forwardNeedsEmail : strings.forwardIdentityEmail;
    return byChannel ? strings.forwardNeedsPhone : strings.forwardIdentityPhone;
  }

  // The page's own checks, each said beside its field; the fields at fault, in order.
  function check() {
    const invalid = [];
    if (!inputs.name.value.trim()) {
      setError("name", strings.required);
      invalid.push("name");
    }
    for (const name of CONTACTS) {
      const value = inputs[name].value.trim();
      if (!value && needed(name)) {
        setError(name, missingMessage(name));
        invalid.push(name);
      } else if (value && name === "email" && inputs.email.validity.typeMismatch) {
        setError(name, strings.email);
        invalid.push(name);
      }
    }
    return invalid;
  }

  function focusFirst(names) {
    const first = Object.keys(inputs).find((name) => names.includes(name));
    if (first) inputs[first].focus();
  }

  for (const opener of document.querySelectorAll("[data-forward-open]")) {
    opener.addEventListener("click", () => {
      clearErrors();
      showNeeded();
      dialog.showModal();
      inputs.name.focus();
    });
  }
  dialog.querySelector("[data-forward-cancel]").addEventListener("click", () => dialog.close());
  inputs.channel.addEventListener("change", () => {
    showNeeded();
    for (const name of CONTACTS) if (!needed(name)) setError(name, "");
  });
  for (const name of ["name", "email", "phone"]) {
    inputs[name].addEventListener("input", () => {
      if (inputs[name].hasAttribute("aria-invalid")) setError(name, "");
    });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const invalid = check();
    if (invalid.length) {
      focusFirst(invalid);
      return;
    }
    submitButton.disabled = true;
    form.setAttribute("aria-busy", "true");
    await beforeSend?.();
    const body = { time_zone: timeZone };
    for (const [name, input] of Object.entries(inputs)) body[name] = input.value.trim();
    const answer = await send("POST", url, body);
    submitButton.disabled = false;
    form.removeAttribute("aria-busy");
    if (answer.ok) {
      dialog.close();
      onForwarded(answer.body.forwardedTo);
      return;
    }
    if (answer.status === 422 && answer.body?.errors?.length) {
      const named = [];
      for (const error of answer.body.errors) {
        const known = error.field in inputs;
        setError(known ? error.field : "", error.message);
        if (known) named.push(error.field);
      }
      focusFirst(named);
      return;
    }
    if ([404, 409, 410].includes(answer.status) || answer.body?.code === "identity_required") {
      // The link no longer lets them act (or asks who they are): the page says why.
      location.reload();
      return;
    }
    general.textContent = answer.body?.title || strings.offline;
  });
}
