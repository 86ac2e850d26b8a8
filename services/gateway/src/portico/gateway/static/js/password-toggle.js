// "Show password": a button whose data-password-toggle lists input ids shows or hides what
// was typed in them. It stays hidden without this script, since it could do nothing then; its
// name does not change, aria-pressed says whether the password is shown.

function inputsOf(button) {
  return button.dataset.passwordToggle
    .split(" ")
    .map((id) => document.getElementById(id))
    .filter(Boolean);
}

for (const button of document.querySelectorAll("[data-password-toggle]")) {
  const inputs = inputsOf(button);
  if (!inputs.length) continue;
  button.hidden = false;
  button.addEventListener("click", () => {
    const show = button.getAttribute("aria-pressed") !== "true";
    for (const input of inputs) input.type = show ? "text" : "password";
    button.setAttribute("aria-pressed", String(show));
  });
}

// Never send the form with the password left shown: a browser would offer to remember it
// as plain text in its form history.
document.addEventListener("submit", (event) => {
  for (const button of event.target.querySelectorAll?.("[data-password-toggle]") || []) {
    for (const input of inputsOf(button)) input.type = "password";
    button.setAttribute("aria-pressed", "false");
  }
});
