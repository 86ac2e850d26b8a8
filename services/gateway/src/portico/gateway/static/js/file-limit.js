// A file input with data-max-bytes refuses a larger file as soon as it is chosen: sending
// it would take a long while only for the portal to refuse it. The portal still checks.

function errorOf(input) {
  const id = `${input.id}-too-large`;
  let error = document.getElementById(id);
  if (!error) {
    error = document.createElement("p");
    error.className = "field-error";
    error.id = id;
    error.hidden = true;
    input.after(error);
  }
  return error;
}

function check(input) {
  const limit = Number(input.dataset.maxBytes);
  const tooLarge = [...(input.files || [])].some((file) => file.size > limit);
  const error = errorOf(input);
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  const others = described.filter((id) => id !== error.id);
  if (tooLarge) {
    error.textContent = input.dataset.tooLarge;
    error.hidden = false;
    input.setCustomValidity(input.dataset.tooLarge);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", [error.id, ...others].join(" "));
  } else {
    error.hidden = true;
    input.setCustomValidity("");
    input.removeAttribute("aria-invalid");
    if (others.length) input.setAttribute("aria-describedby", others.join(" "));
    else input.removeAttribute("aria-describedby");
  }
  return !tooLarge;
}

document.addEventListener("change", (event) => {
  if (event.target.matches?.("input[type=file][data-max-bytes]")) check(event.target);
});

// A form sent anyway (Enter, or HTMX, which checks validity too) stops here.
document.addEventListener(
  "submit",
  (event) => {
    const inputs = event.target.querySelectorAll?.("input[type=file][data-max-bytes]") || [];
    if ([...inputs].every(check)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    event.target.querySelector("[aria-invalid='true']")?.focus();
  },
  true,
);
