// One field's input, for a box on the page (small) or the phone's guide (large): what the
// signer types, ticks, chooses, signs or uploads goes to ``form.set(name, value)``, and
// ``control.show(value)`` shows a value given elsewhere (the other view of the same field,
// a formula, a restored draft).

const TEXT_TYPES = {
  text: "text",
  name: "text",
  email: "email",
  phone: "tel",
  cells: "text",
  date: "date",
  number: "text",
};
const AUTOCOMPLETE = { name: "name", email: "email", phone: "tel" };

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export { element };

export function labelOf(field) {
  return field.label || field.name;
}

function describe(input, ids) {
  const present = ids.filter(Boolean).join(" ");
  if (present) input.setAttribute("aria-describedby", present);
}

// A value others gave (or a prefill), as text to read.
export function displayValue(field, value, strings) {
  if (value === null || value === undefined || value === "" || value === false) return "";
  if (Array.isArray(value)) return value.join(", ");
  if (value === true) return "✓";
  if (typeof value === "object") {
    if (value.typed) return value.typed;
    return field.type === "signature" || field.type === "initials" ? strings.signed : "✓";
  }
  return String(value);
}

export function createControl(field, index, form, { large = false } = {}) {
  const strings = form.strings;
  const prefix = large ? "sg-g" : "sg-f";
  const id = `${prefix}-${index}`;
  const errorId = `${id}-error`;
  const label = labelOf(field);
  const required = form.isRequired(field);
  const accessibleName = required ? `${label} *` : label;
  const control = { field, index, id, errorId, element: null, input: null, show: () => {}, focus: () => control.input?.focus() };

  if (!field.mine || form.readOnly || field.type === "readonly" || field.type === "signing_date") {
    const text = field.type === "signing_date" && !field.value ? strings.whenSigned : displayValue(field, field.value, strings);
    const typed = field.value && typeof field.value === "object" && field.value.typed;
    control.element = element("div", {
      class: `sg-readonly${typed ? " sg-handwriting" : ""}`,
      id,
      text: field.type === "readonly" && !text ? label : text,
      title: field.mine ? null : label,
    });
    control.show = (value) => {
      if (field.type === "readonly" || field.type === "signing_date") return;
      control.element.textContent = displayValue(field, value, strings);
    };
    return control;
  }

  if (field.formula) {
    const input = element("input", { id, readonly: true, "aria-label": `${label} (${strings.computed})`, class: "sg-input", tabindex: "-1" });
    control.element = input;
    control.input = input;
    control.show = (value) => {
      input.value = value === null || value === undefined ? "" : String(value);
    };
    return control;
  }

  switch (field.type) {
    case "checkbox": {
      const input = element("input", { type: "checkbox", id, class: "sg-check", "aria-label": large ? null : accessibleName, required });
      input.addEventListener("change", () => form.set(field.name, input.checked, control));
      control.input = input;
      control.show = (value) => {
        input.checked = Boolean(value);
      };
      control.element = large
        ? element(
            "label",
            { class: "sg-check-large", for: id },
            input,
            element("span", { text: label }),
            required ? element("span", { class: "required", "aria-hidden": "true", text: "*" }) : null,
          )
        : input;
      describe(input, [errorId]);
      return control;
    }
    case "radio":
    case "multiple": {
      const fieldset = element("fieldset", { class: "sg-choices", id, "aria-describedby": errorId });
      fieldset.append(element("legend", { class: large ? "visually-hidden" : "visually-hidden", text: accessibleName }));
      const inputs = field.options.map((option, position) => {
        const input = element("input", {
          type: field.type === "radio" ? "radio" : "checkbox",
          name: `${id}-choice`,
          id: `${id}-${position}`,
          value: option,
        });
        input.addEventListener("change", () => {
          if (field.type === "radio") form.set(field.name, option, control);
          else form.set(field.name, inputs.filter((each) => each.checked).map((each) => each.value), control);
        });
        fieldset.append(element("label", { for: `${id}-${position}`, class: "sg-choice" }, input, element("span", { text: option })));
        return input;
      });
      control.element = fieldset;
      control.input = inputs[0];
      control.focus = () => (inputs.find((each) => each.checked) || inputs[0])?.focus();
      control.show = (value) => {
        for (const input of inputs) {
          input.checked = Array.isArray(value) ? value.includes(input.value) : value === input.value;
        }
      };
      return control;
    }
    case "select": {
      const select = element("select", { id, class: "sg-input", "aria-label": large ? null : accessibleName, required });
      select.append(element("option", { value: "", text: large ? "—" : label }));
      for (const option of field.options) select.append(element("option", { value: option, text: option }));
      select.addEventListener("change", () => form.set(field.name, select.value || null, control));
      describe(select, [errorId]);
      control.element = select;
      control.input = select;
      control.show = (value) => {
        select.value = value || "";
      };
      return control;
    }
    case "signature":
    case "initials": {
      const button = element("button", { type: "button", id, class: "sg-sign-button" });
      button.addEventListener("click", () => form.sign(field, control));
      describe(button, [errorId]);
      control.element = button;
      control.input = button;
      control.show = (value) => {
        button.replaceChildren();
        if (!large) button.append(element("span", { class: "visually-hidden", text: `${accessibleName}: ` }));
        button.classList.toggle("is-signed", Boolean(value));
        if (value?.image) {
          button.append(element("img", { src: value.image, alt: strings.signed }));
        } else if (value?.typed) {
          button.append(element("span", { class: "sg-handwriting", text: value.typed }));
        } else if (value?.file) {
          button.append(element("span", { class: "sg-sign-saved", text: `✓ ${strings.savedSignature}` }));
        } else {
          button.append(element("span", { class: "sg-sign-cta", text: field.type === "initials" ? strings.initial : strings.sign }));
        }
      };
      return control;
    }
    case "image":
    case "stamp":
    case "file": {
      const isFile = field.type === "file";
      const accept = isFile ? "image/png,image/jpeg,image/webp,application/pdf" : "image/*";
      const input = element("input", { type: "file", id: `${id}-file`, accept, class: "visually-hidden", tabindex: "-1" });
      const button = element("button", { type: "button", id, class: "sg-upload-button" });
      button.addEventListener("click", () => input.click());
      input.addEventListener("change", () => {
        if (input.files[0]) form.upload(field, input.files[0], control);
        input.value = "";
      });
      describe(button, [errorId]);
      control.element = element("div", { class: "sg-upload" }, button, input);
      control.input = button;
      control.show = (value) => {
        button.replaceChildren();
        if (!large) button.append(element("span", { class: "visually-hidden", text: `${accessibleName}: ` }));
        button.classList.toggle("is-signed", Boolean(value));
        if (value?.image && value.image.startsWith("data:image/")) {
          button.append(element("img", { src: value.image, alt: "" }));
        } else if (value?.image || value?.file) {
          button.append(element("span", { text: `✓ ${value.name ? strings.fileChosen.replace("%(name)s", value.name) : strings.replace}` }));
        } else {
          button.append(element("span", { class: "sg-sign-cta", text: isFile ? strings.uploadFile : strings.upload }));
        }
      };
      return control;
    }
    case "multiline": {
      const area = element("textarea", { id, class: "sg-input", "aria-label": large ? null : accessibleName, placeholder: large ? null : label, required, maxlength: field.validation?.max_length });
      area.addEventListener("input", () => form.set(field.name, area.value, control, { typing: true }));
      area.addEventListener("blur", () => form.touched(field));
      describe(area, [errorId]);
      control.element = area;
      control.input = area;
      control.show = (value) => {
        if (area.value !== (value ?? "")) area.value = value ?? "";
      };
      return control;
    }
    default: {
      const input = element("input", {
        id,
        type: TEXT_TYPES[field.type] || "text",
        class: `sg-input${field.type === "cells" ? " sg-cells" : ""}`,
        "aria-label": large ? null : accessibleName,
        required,
        autocomplete: AUTOCOMPLETE[field.type] || "off",
        placeholder: large ? null : label,
        inputmode: field.type === "number" ? "decimal" : null,
        maxlength: field.type === "cells" ? field.cells : field.validation?.max_length,
      });
      if (field.type === "cells" && field.cells) input.style.setProperty("--cells", field.cells);
      input.addEventListener("input", () => form.set(field.name, input.value, control, { typing: true }));
      input.addEventListener("blur", () => form.touched(field));
      describe(input, [errorId]);
      control.element = input;
      control.input = input;
      control.show = (value) => {
        const text = value === null || value === undefined ? "" : String(value);
        if (input.value !== text) input.value = text;
      };
      return control;
    }
  }
}
