// "Preview as the client sees it": places the fields on their pages, computes formulas
// and hides the fields whose conditions fail with the sample values, as the signer's page
// will (field-logic.js, the same rules as the service's).

import { evaluateFormula, parseFormula, ruleHolds } from "../field-logic.js";

const data = JSON.parse(document.getElementById("preview-data").textContent);

for (const section of document.querySelectorAll("[data-preview] [data-page]")) {
  section.style.setProperty("--ratio", section.dataset.ratio);
}
const elements = new Map();
for (const element of document.querySelectorAll(".pv-field")) {
  for (const axis of ["x", "y", "w", "h"]) element.style.setProperty(`--${axis}`, element.dataset[axis]);
  elements.set(element.dataset.name, element);
}

const values = {};
for (const field of data.fields) {
  const element = elements.get(field.name);
  const input = element?.querySelector("input, select, textarea");
  if (!input) values[field.name] = data.samples[field.name] || "";
  else if (input.type === "checkbox") values[field.name] = input.checked;
  else values[field.name] = input.value;
}
for (const field of data.fields) {
  if (!field.formula) continue;
  try {
    const result = evaluateFormula(parseFormula(field.formula), values);
    values[field.name] = result ?? "";
    const input = elements.get(field.name)?.querySelector("input");
    if (input) input.value = result ?? "";
  } catch {
    // The service refuses a formula it cannot read: a saved one always parses.
  }
}
for (const field of data.fields) {
  if (!field.condition) continue;
  const element = elements.get(field.name);
  if (element) element.hidden = !ruleHolds(field.condition, values);
}
for (const image of document.querySelectorAll("[data-image-holder] img")) {
  image.addEventListener("error", () => {
    const holder = image.closest("[data-image-holder]");
    holder.classList.add("is-loading");
    setTimeout(() => {
      image.src = `${image.src.split("&attempt")[0]}&attempt=${Date.now()}`;
    }, 2000);
  });
  image.addEventListener("load", () => image.closest("[data-image-holder]").classList.remove("is-loading"));
}
