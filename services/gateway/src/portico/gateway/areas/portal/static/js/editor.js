// Notes' rich text: a textarea[data-editor] becomes an editable area with bold, italic,
// bulleted list and link buttons; its HTML goes back into the textarea, which the form
// sends. Without this script, the textarea is there to type HTML in. The portal keeps
// only its allowed tags anyway: this is comfort, not security.

const BLOCKS = new Set(["P", "UL", "OL", "LI", "H2", "H3", "BLOCKQUOTE", "PRE"]);
const INLINE = new Set(["STRONG", "EM", "U", "S", "CODE", "A", "BR"]);
const RENAMED = { B: "STRONG", I: "EM", STRIKE: "S", DIV: "P" };
const DROPPED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "OBJECT", "EMBED"]);
const SCHEMES = /^(https?:|mailto:)/i;

// The allowed part of `source`'s children, copied into `target` (attributes dropped but
// a link's address).
function copyClean(source, target) {
  for (const node of source.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      target.append(node.textContent);
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE || DROPPED.has(node.tagName)) continue;
    const tag = RENAMED[node.tagName] || node.tagName;
    if (!BLOCKS.has(tag) && !INLINE.has(tag)) {
      copyClean(node, target); // a <span> or <font>: its content only
      continue;
    }
    const copy = target.ownerDocument.createElement(tag);
    if (tag === "A") {
      const href = (node.getAttribute("href") || "").trim();
      if (!SCHEMES.test(href)) {
        copyClean(node, target);
        continue;
      }
      copy.setAttribute("href", href);
    }
    copyClean(node, copy);
    target.append(copy);
  }
  return target;
}

// Top-level text and inline elements gathered into paragraphs; empty paragraphs dropped.
function paragraphs(root) {
  const doc = root.ownerDocument;
  const result = doc.createElement("div");
  let open = null;
  for (const node of [...root.childNodes]) {
    const block = node.nodeType === Node.ELEMENT_NODE && BLOCKS.has(node.tagName);
    if (block) {
      open = null;
      result.append(node);
    } else {
      if (!open) {
        open = doc.createElement("p");
        result.append(open);
      }
      open.append(node);
    }
  }
  for (const p of result.querySelectorAll("p")) {
    if (!p.textContent.trim()) p.remove();
  }
  return result;
}

function cleanHtml(html) {
  // Parsed in a document of its own: nothing in it loads or runs.
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const body = paragraphs(copyClean(parsed.body, parsed.createElement("div")));
  return body.innerHTML.trim();
}

function withScheme(address) {
  const value = address.trim();
  if (!value) return "";
  if (SCHEMES.test(value)) return value;
  if (/^[^\s@/]+@[^\s@/]+$/.test(value)) return `mailto:${value}`;
  return `https://${value.replace(/^\/+/, "")}`;
}

function setUp(textarea) {
  const field = textarea.closest(".field") || textarea.parentElement;
  const toolbar = field.querySelector(".editor-toolbar");
  const area = document.createElement("div");
  area.className = "editor-area";
  area.contentEditable = "true";
  area.setAttribute("role", "textbox");
  area.setAttribute("aria-multiline", "true");
  for (const name of ["aria-invalid", "aria-describedby"]) {
    if (textarea.hasAttribute(name)) area.setAttribute(name, textarea.getAttribute(name));
  }
  const label = field.querySelector(`label[for="${textarea.id}"]`);
  if (label) {
    label.id ||= `${textarea.id}-label`;
    area.setAttribute("aria-labelledby", label.id);
    // The label points at the hidden textarea: lead its clicks to the area instead.
    label.addEventListener("click", (event) => {
      event.preventDefault();
      area.focus();
    });
  }
  area.innerHTML = cleanHtml(textarea.value);

  const sync = () => {
    textarea.value = cleanHtml(area.innerHTML);
  };
  area.addEventListener("input", sync);
  area.addEventListener("blur", sync);
  textarea.form?.addEventListener("submit", sync, { capture: true });

  if (toolbar) {
    toolbar.hidden = false;
    toolbar.addEventListener("mousedown", (event) => {
      // Keep the selection in the area while a button is pressed.
      if (event.target.closest("button")) event.preventDefault();
    });
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-command]");
      if (!button) return;
      area.focus();
      const command = button.dataset.command;
      if (command === "createLink") {
        const address = withScheme(window.prompt(textarea.dataset.linkPrompt || "URL", "https://") || "");
        if (!address || address === "https://") return;
        document.execCommand("createLink", false, address);
      } else {
        document.execCommand(command, false);
      }
      sync();
    });
  }

  textarea.hidden = true;
  textarea.after(area);
  try {
    document.execCommand("defaultParagraphSeparator", false, "p");
  } catch {
    // Older engines: their separator is cleaned into paragraphs on sync.
  }
}

document.querySelectorAll("textarea[data-editor]").forEach(setUp);
