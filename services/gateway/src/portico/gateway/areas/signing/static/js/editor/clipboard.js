// Names, copies and repeats of fields. A field's name is unique in its template (formulas
// and conditions use it): a copy gets the next free "Signature 2". The clipboard crosses
// templates through localStorage (the page gives `storage`).

export const STORAGE_KEY = "portico.signing.clipboard";
// A pasted copy lands this far (a fraction of the page) below and right of its original.
export const PASTE_OFFSET = 0.02;

// `wanted`, or "wanted 2", "wanted 3"... : the first not in `taken` (a Set or an array).
export function uniqueName(wanted, taken) {
  const names = taken instanceof Set ? taken : new Set(taken);
  const base = String(wanted).trim() || "Field";
  if (!names.has(base)) return base;
  const found = /^(.*?)\s+(\d+)$/.exec(base);
  const stem = found ? found[1] : base;
  let number = found ? Number(found[2]) + 1 : 2;
  while (names.has(`${stem} ${number}`)) number += 1;
  return `${stem} ${number}`;
}

// What is copied: the fields without their ids (a copy is a new field) nor editor keys.
export function copyFields(fields) {
  return fields.map((field) => {
    const { id, key, ...rest } = field;
    return JSON.parse(JSON.stringify(rest));
  });
}

// The copies to add to `existing`: new unique names, moved by `offset` (kept on the page),
// on `page` when given (the page being looked at), with `role` when the template has not
// the copied one. `newKey` gives each copy its editor key.
export function pasteFields(copied, existing, options = {}) {
  const offset = options.offset ?? PASTE_OFFSET;
  const roles = options.roles || null;
  const pages = options.pageCount ?? Infinity;
  const taken = new Set(existing.map((f) => f.name));
  // Names the copies had, to their new ones: a condition or formula between two copied
  // fields reads the copies.
  const renamed = new Map();
  const copies = copied.map((field) => {
    const name = uniqueName(field.name, taken);
    taken.add(name);
    renamed.set(field.name, name);
    const copy = JSON.parse(JSON.stringify(field));
    copy.name = name;
    const x = Math.min(Math.max(copy.x + offset, 0), 1 - copy.w);
    const y = Math.min(Math.max(copy.y + offset, 0), 1 - copy.h);
    copy.x = Math.round(x * 1e5) / 1e5;
    copy.y = Math.round(y * 1e5) / 1e5;
    if (options.page !== undefined && options.page !== null) copy.page = options.page;
    if (copy.page >= pages) copy.page = pages - 1;
    if (roles && !roles.includes(copy.role)) copy.role = options.role ?? roles[0];
    if (options.newKey) copy.key = options.newKey();
    return copy;
  });
  for (const copy of copies) {
    if (copy.formula) {
      copy.formula = copy.formula.replace(/\{([^{}]+)\}/g, (whole, name) =>
        renamed.has(name.trim()) ? `{${renamed.get(name.trim())}}` : whole,
      );
    }
    if (copy.condition) {
      for (const condition of copy.condition.conditions || []) {
        if (renamed.has(condition.field)) condition.field = renamed.get(condition.field);
      }
      // Pasted into another template, a condition on a field it has not is dropped.
      const conditions = (copy.condition.conditions || []).filter((c) => taken.has(c.field));
      if (conditions.length) copy.condition.conditions = conditions;
      else delete copy.condition;
    }
  }
  return copies;
}

export function store(storage, fields, templateId) {
  storage.setItem(STORAGE_KEY, JSON.stringify({ templateId, fields: copyFields(fields) }));
}

export function load(storage) {
  try {
    const found = JSON.parse(storage.getItem(STORAGE_KEY) || "null");
    return found && Array.isArray(found.fields) ? found : null;
  } catch {
    return null;
  }
}

// Copies of `field` at the same place on every other page of `pageCount` pages (initials
// on each page), named after it, skipping pages where a copy already stands there.
export function repeatOnEveryPage(field, existing, pageCount, newKey) {
  const taken = new Set(existing.map((f) => f.name));
  const copies = [];
  const same = (a, b) =>
    Math.abs(a.x - b.x) < 1e-4 && Math.abs(a.y - b.y) < 1e-4 && a.type === b.type;
  for (let page = 0; page < pageCount; page += 1) {
    if (page === field.page) continue;
    if (existing.some((f) => f.page === page && same(f, field))) continue;
    const { id, key, ...rest } = field;
    const copy = JSON.parse(JSON.stringify(rest));
    copy.page = page;
    copy.name = uniqueName(`${field.name.replace(/\s+\d+$/, "")} ${page + 1}`, taken);
    taken.add(copy.name);
    if (newKey) copy.key = newKey();
    copies.push(copy);
  }
  return copies;
}
