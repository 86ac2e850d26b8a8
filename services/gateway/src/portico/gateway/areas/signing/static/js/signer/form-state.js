// The signer's form as the service sees it (portico.signing.fields.logic and
// submissions/values.py): which fields are shown, what formulas compute, which fields are
// required and whether a value is acceptable. Conditions and formulas are evaluated by
// field-logic.js, the editor's evaluator; this module only takes the fields in an order
// where each comes after those it reads, as the service does. No DOM here.

import { evaluateFormula, isEmpty, parseFormula, ruleHolds, toNumber } from "../field-logic.js";

// Fields whose value the signer gives: not read-only text, not the date filled when signed.
const NOT_FILLABLE = new Set(["readonly", "signing_date"]);
// A signer signs: these are required whenever they are shown.
const ALWAYS_REQUIRED = new Set(["signature", "initials"]);
export const IMAGES = new Set(["signature", "initials", "image", "stamp", "file"]);
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?[0-9 ().-]{4,30}$/;

function references(tree, found = new Set()) {
  if (!tree || typeof tree !== "object") return found;
  if ("field" in tree) found.add(tree.field);
  for (const key of ["left", "right", "negate"]) if (tree[key]) references(tree[key], found);
  for (const arg of tree.args || []) references(arg, found);
  return found;
}

// Each field's parsed formula and the names it and its condition read, in an order where
// every field comes after those it reads (a circle, refused by the service, ends the walk).
export function prepare(fields) {
  const byName = new Map();
  for (const field of fields) {
    let formula = null;
    if (field.formula) {
      try {
        formula = parseFormula(field.formula);
      } catch {
        formula = null; // the service saves only formulas it can read
      }
    }
    const reads = references(formula);
    for (const condition of field.condition?.conditions || []) reads.add(condition.field);
    byName.set(field.name, { field, formula, reads });
  }
  const ordered = [];
  const state = new Map();
  const visit = (name) => {
    const entry = byName.get(name);
    if (!entry || state.get(name) === "done" || state.get(name) === "visiting") return;
    state.set(name, "visiting");
    for (const read of entry.reads) visit(read);
    state.set(name, "done");
    ordered.push(entry);
  };
  for (const name of byName.keys()) visit(name);
  return ordered;
}

// Which fields are shown and every value as the form stands: computed ones replaced by
// their formula's result, hidden ones empty for the fields that read them.
export function evaluateForm(prepared, posted) {
  const visible = new Set();
  const values = {};
  for (const { field, formula } of prepared) {
    if (field.condition && !ruleHolds(field.condition, values)) continue;
    visible.add(field.name);
    if (formula) values[field.name] = evaluateFormula(formula, values);
    else if (field.name in posted) values[field.name] = posted[field.name];
  }
  return { visible, values };
}

export function fillable(field) {
  return !NOT_FILLABLE.has(field.type) && !field.formula;
}

export function isRequired(field) {
  return fillable(field) && (field.required || ALWAYS_REQUIRED.has(field.type));
}

export function filled(value) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Boolean(value.image || value.typed || value.file);
  }
  return !isEmpty(value);
}

function formatLimit(number) {
  return Number.isInteger(number) ? String(number) : String(number);
}

// The first problem with a value as the signer types it: [message key, params], or null.
// The service checks again and has the last word.
export function problemOf(field, value, { final = false } = {}) {
  if (!filled(value)) return final && isRequired(field) ? ["required", {}] : null;
  const rules = field.validation || {};
  const text = typeof value === "string" ? value.trim() : value;
  switch (field.type) {
    case "number": {
      const number = toNumber(text);
      if (number === null || !Number.isFinite(number)) return ["number", {}];
      if (rules.min !== undefined && rules.min !== null && number < rules.min) return ["min", { min: formatLimit(rules.min) }];
      if (rules.max !== undefined && rules.max !== null && number > rules.max) return ["max", { max: formatLimit(rules.max) }];
      return null;
    }
    case "email":
      if (!EMAIL.test(text)) return ["email", {}];
      break;
    case "phone":
      if (!PHONE.test(text)) return ["phone", {}];
      break;
    case "date":
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return ["date", {}];
      return null;
    case "cells":
      if (field.cells && text.length > field.cells) return ["maxLength", { count: field.cells }];
      break;
    default:
      break;
  }
  if (typeof text !== "string") return null;
  if (rules.min_length && text.length < rules.min_length) return ["minLength", { count: rules.min_length }];
  if (rules.max_length && text.length > rules.max_length) return ["maxLength", { count: rules.max_length }];
  if (rules.pattern) {
    let pattern = null;
    try {
      pattern = new RegExp(`^(?:${rules.pattern})$`, "u");
    } catch {
      pattern = null; // a Python pattern JavaScript cannot read: the service checks it
    }
    if (pattern && !pattern.test(text)) return rules.message ? ["custom", { message: rules.message }] : ["pattern", {}];
  }
  return null;
}

// Fields in reading order: page, then top to bottom, then left to right.
export function readingOrder(a, b) {
  if (a.page !== b.page) return a.page - b.page;
  if (Math.abs(a.y - b.y) > 0.005) return a.y - b.y;
  return a.x - b.x;
}
