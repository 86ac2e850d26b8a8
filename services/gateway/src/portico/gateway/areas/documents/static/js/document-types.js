// A document type's data fields editor: add a row (copied from the <template>), remove
// one, and show each row's choices and "expiry date" box only for the kinds they belong
// to. The key's placeholder shows the key the English label makes. Without this script,
// one blank row is offered, rows are removed with their checkbox, and every input shows.

const rows = document.querySelector("[data-field-rows]");
const template = document.querySelector("template[data-field-template]");
const addButton = document.querySelector("[data-add-field]");

// The key the server makes from a label (pages/types.py, key_from_label).
function keyFrom(label) {
  let key = label
    .normalize("NFKD")
    .replace(/[^\x00-\x7f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (key && !/^[a-z]/.test(key)) key = `field_${key}`;
  return key.slice(0, 40).replace(/_+$/, "");
}

function showForKind(row) {
  const kind = row.querySelector('select[name$=".kind"]')?.value || "text";
  for (const part of row.querySelectorAll("[data-kind-only]")) {
    const belongs = part.dataset.kindOnly === kind;
    // A part with an error stays in sight until it is corrected.
    part.hidden = !belongs && !part.querySelector(".field-error") && !part.classList.contains("field-invalid");
    const box = part.querySelector('input[type="checkbox"]');
    if (part.hidden && box) box.checked = false;
  }
}

function numberRows() {
  rows.querySelectorAll("[data-field-row]").forEach((row, index) => {
    const legend = row.querySelector("legend");
    if (legend) legend.textContent = legend.dataset.label.replace("__number__", String(index + 1));
  });
}

function setUp(row) {
  const legend = row.querySelector("legend");
  if (legend && !legend.dataset.label) {
    legend.dataset.label = legend.textContent.replace(/\d+|__number__/, "__number__");
  }
  for (const part of row.querySelectorAll("[data-no-js]")) part.hidden = true;
  const remove = row.querySelector("[data-remove-field]");
  if (remove) {
    remove.hidden = false;
    remove.addEventListener("click", () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      numberRows();
      (next?.querySelector("input, select") || addButton)?.focus();
    });
  }
  row.querySelector('select[name$=".kind"]')?.addEventListener("change", () => showForKind(row));
  const label = row.querySelector("[data-label-en]");
  const key = row.querySelector("[data-key]");
  if (label && key) {
    const suggest = () => {
      key.placeholder = keyFrom(label.value);
    };
    label.addEventListener("input", suggest);
    suggest();
  }
  showForKind(row);
}

if (rows && template && addButton) {
  rows.querySelectorAll("[data-field-row]").forEach(setUp);
  addButton.hidden = false;
  addButton.addEventListener("click", () => {
    const index = Number(rows.dataset.nextIndex || "0");
    rows.dataset.nextIndex = String(index + 1);
    const html = template.innerHTML.replaceAll("__index__", String(index));
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const row = holder.querySelector("[data-field-row]");
    rows.append(row);
    setUp(row);
    numberRows();
    row.querySelector("input")?.focus();
  });
}
