// A quote's form, in the page: the buttons that add, move and remove lines and sections do
// their work here (without this script each posts the form and the page does it), a
// product picked from the catalogue fills its line, a line's section moves it under that
// section, and the totals follow what is typed (quote-totals.js). Rows keep the names they
// were given: the page reads them in the order the form sends them.

import { computeTotals, parseDecimal, toNumberString } from "./quote-totals.js";

const form = document.querySelector("[data-quote-form]");
const groupsBox = form?.querySelector("[data-groups]");
const lineTemplate = form?.querySelector("template[data-line-template]");
const sectionTemplate = form?.querySelector("template[data-section-template]");
const totalsBox = form?.querySelector("[data-live-totals]");

const input = (row, name) => row.querySelector(`[name$="-${name}"]`);
const groups = () => [...groupsBox.querySelectorAll("[data-group]")];
const linesOf = (group) => group.querySelector("[data-lines]");

function fromTemplate(template, replacements) {
  let html = template.innerHTML;
  for (const [placeholder, value] of Object.entries(replacements)) {
    html = html.replaceAll(placeholder, value);
  }
  const holder = document.createElement("div");
  holder.innerHTML = html.trim();
  return holder.firstElementChild;
}

function nextCounter(name) {
  const next = Number(groupsBox.dataset[name] || "0");
  groupsBox.dataset[name] = String(next + 1);
  return next;
}

// --- Rows ------------------------------------------------------------------------------------

function addLine(group) {
  const row = fromTemplate(lineTemplate, { __line__: String(nextCounter("nextLine")) });
  linesOf(group).append(row);
  refreshSectionChoices();
  input(row, "section").value = group.dataset.group;
  row.querySelector("select, textarea")?.focus();
}

function addSection() {
  const taken = new Set(groups().map((group) => group.dataset.group));
  let number = taken.size;
  while (taken.has(`s${number}`)) number += 1;
  const key = `s${number}`;
  const group = fromTemplate(sectionTemplate, {
    __section__: String(nextCounter("nextSection")),
    __key__: key,
  });
  group.querySelector("[data-section-key]").value = key;
  groupsBox.append(group);
  group.querySelector("[data-section-title]")?.focus();
}

function move(element, direction, isNeighbour) {
  const sibling = direction === "up" ? element.previousElementSibling : element.nextElementSibling;
  if (!sibling || !isNeighbour(sibling)) return;
  if (direction === "up") sibling.before(element);
  else sibling.after(element);
}

function removeLine(row) {
  const next = row.nextElementSibling || row.previousElementSibling;
  const group = row.closest("[data-group]");
  row.remove();
  (next?.querySelector("select, textarea") || group.querySelector("[data-add-line]"))?.focus();
}

// A section removed keeps its lines, out of any section.
function removeSection(group) {
  const outside = groups()[0];
  for (const row of group.querySelectorAll("[data-line]")) {
    input(row, "section").value = "";
    linesOf(outside).append(row);
  }
  group.remove();
  form.querySelector("[data-add-section]")?.focus();
}

function renumber() {
  form.querySelectorAll("[data-line] legend[data-legend]").forEach((legend, index) => {
    legend.textContent = legend.dataset.legend.replace("__number__", String(index + 1));
  });
}

// Each line's choice of section: the sections as they are now, untitled ones by number.
function refreshSectionChoices() {
  const sections = groups()
    .slice(1)
    .map((group, index) => ({
      key: group.dataset.group,
      title:
        group.querySelector("[data-section-title]")?.value.trim() ||
        groupsBox.dataset.untitled.replace("__number__", String(index + 1)),
    }));
  for (const select of form.querySelectorAll('[data-line] select[name$="-section"]')) {
    const current = select.value;
    const none = select.options[0];
    select.replaceChildren(none, ...sections.map(({ key, title }) => new Option(title, key)));
    select.value = sections.some(({ key }) => key === current) ? current : "";
  }
}

function fillFromProduct(row, select) {
  const product = select.selectedOptions[0];
  if (!product?.value) return;
  const fields = { description: "description", unit: "unit", unit_price: "unitPrice", vat_rate: "vatRate" };
  for (const [name, key] of Object.entries(fields)) {
    const field = input(row, name);
    if (field) field.value = product.dataset[key] ?? "";
  }
}

// --- Totals ----------------------------------------------------------------------------------

function currencyOf() {
  const code = (form.querySelector("[data-currency]")?.value || "EUR").trim().toUpperCase();
  try {
    const places = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
      .maximumFractionDigits;
    return { code, places };
  } catch {
    return null;
  }
}

function discountOf(box, prefix) {
  const value = parseDecimal(box.querySelector(`[name="${prefix}discount"]`)?.value);
  const kind = box.querySelector(`[name="${prefix}discount_kind"]`)?.value;
  return value ? { kind: kind === "amount" ? "amount" : "percent", value } : null;
}

// A row as the totals read it, or null when it is empty or not all numbers yet.
function lineOf(row) {
  const text = (name) => input(row, name)?.value.trim() ?? "";
  if (!text("description") && !text("unit_price") && !text("product_id")) return null;
  const quantity = text("quantity") ? parseDecimal(text("quantity")) : parseDecimal("1");
  const unitPrice = parseDecimal(text("unit_price"));
  const vatRate = text("vat_rate") ? parseDecimal(text("vat_rate")) : parseDecimal("20");
  const prefix = input(row, "discount").name.replace(/discount$/, "");
  const discountText = text("discount");
  const discount = discountText ? discountOf(row, prefix) : null;
  if (!quantity || !unitPrice || !vatRate || (discountText && !discount)) return null;
  const optional = input(row, "optional")?.checked ?? false;
  const chosen = Boolean(row.querySelector("[data-chosen]"));
  const section = input(row, "section")?.value ?? "";
  return { quantity, unitPrice, vatRate, discount, counted: !optional || chosen, section };
}

function recompute() {
  const currency = currencyOf();
  if (!currency || !totalsBox) return;
  const locale = totalsBox.dataset.locale || "en";
  const money = (value) =>
    new Intl.NumberFormat(locale, { style: "currency", currency: currency.code }).format(
      Number(toNumberString(value)),
    );
  const percent = (rate) =>
    new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 }).format(Number(rate) / 100);

  const rows = [...form.querySelectorAll("[data-line]")];
  const read = rows.map(lineOf);
  const lines = read.filter(Boolean);
  const sections = groups().slice(1).map((group) => group.dataset.group);
  const discountBox = totalsBox.closest("section");
  const totals = computeTotals(lines, { sections, discount: discountOf(discountBox, ""), places: currency.places });

  let position = 0;
  rows.forEach((row, index) => {
    const output = row.querySelector("[data-line-net]");
    if (!read[index]) {
      output.textContent = "";
      return;
    }
    const net = money(totals.nets[position++]);
    output.textContent = read[index].counted ? net : `${net} · ${totalsBox.dataset.labelNotCounted}`;
  });
  for (const group of groups().slice(1)) {
    const subtotal = totals.subtotals.get(group.dataset.group);
    const title = group.querySelector("[data-section-title]")?.value.trim() || "";
    group.querySelector("[data-section-subtotal]").textContent = subtotal
      ? `${totalsBox.dataset.labelSubtotal.replace("__section__", title)} ${money(subtotal)}`
      : "";
  }
  drawTotals(totals, money, percent, discountOf(discountBox, ""));
}

function drawTotals(totals, money, percent, discount) {
  const labels = totalsBox.dataset;
  const rows = [];
  if (totals.discount.units !== 0n) {
    rows.push([labels.labelLines, money(totals.linesTotal)]);
    const named =
      discount?.kind === "percent"
        ? labels.labelDiscountRate.replace("__rate__", percent(toNumberString(discount.value)))
        : labels.labelDiscount;
    rows.push([named, `−${money(totals.discount)}`]);
  }
  rows.push([labels.labelWithoutTax, money(totals.withoutTax)]);
  for (const tax of totals.taxes) {
    const label = labels.labelTax.replace("__rate__", percent(tax.rate)).replace("__base__", money(tax.base));
    rows.push([label, money(tax.tax)]);
  }
  rows.push([labels.labelWithTax, money(totals.withTax)]);

  const table = document.createElement("table");
  table.className = "quote-totals";
  const body = table.createTBody();
  rows.forEach(([label, amount], index) => {
    const row = body.insertRow();
    if (index === rows.length - 1) row.className = "quote-grand-total";
    const head = document.createElement("th");
    head.scope = "row";
    head.textContent = label;
    row.append(head);
    row.insertCell().textContent = amount;
  });
  totalsBox.replaceChildren(table);
  form.querySelector("[data-live-note]")?.removeAttribute("hidden");
}

// --- Wiring ----------------------------------------------------------------------------------

function changed() {
  renumber();
  refreshSectionChoices();
  recompute();
}

if (form && groupsBox && lineTemplate && sectionTemplate) {
  form.addEventListener("click", (event) => {
    const button = event.target.closest?.('button[name="command"]');
    if (!button || button.value === "save") return;
    event.preventDefault();
    const row = button.closest("[data-line]");
    const group = button.closest("[data-group]");
    if (button.matches("[data-add-line]")) addLine(group);
    else if (button.matches("[data-add-section]")) addSection();
    else if (button.dataset.move) move(row, button.dataset.move, (other) => other.matches("[data-line]"));
    else if (button.matches("[data-remove-line]")) removeLine(row);
    else if (button.dataset.moveSection) {
      // The lines out of sections stay first.
      move(group, button.dataset.moveSection, (other) => other.matches(".quote-section"));
    } else if (button.matches("[data-remove-section]")) removeSection(group);
    if (button.isConnected && button.dataset.move) button.focus();
    changed();
  });
  form.addEventListener("change", (event) => {
    const target = event.target;
    const row = target.closest("[data-line]");
    if (row && target.matches("[data-product]")) fillFromProduct(row, target);
    if (row && target.matches('select[name$="-section"]')) {
      const group = groups().find((candidate) => candidate.dataset.group === target.value);
      if (group) linesOf(group).append(row);
      target.focus();
    }
    changed();
  });
  form.addEventListener("input", (event) => {
    if (event.target.matches("[data-section-title]")) refreshSectionChoices();
    recompute();
  });
  changed();
  // A form refused shows where: the first input the page marked as wrong.
  form.querySelector('[aria-invalid="true"]')?.focus();
}
