// The mira accessibility-tree walker: one call renders the whole page as text.
// The rules are documented in axtree.py (module docstring); keep the two in step.
// Returns {text, title, nodes}. `text` is untruncated; Python truncates it.
() => {
  const ATTR = "data-mira-id";
  const SKIP_TAGS = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "META", "LINK", "TITLE", "BASE"]);
  const NO_CHILDREN = new Set(["TEXTAREA", "INPUT", "IFRAME", "FRAME", "OBJECT", "EMBED", "VIDEO", "AUDIO", "CANVAS", "IMG"]);
  const PRUNED = new Set(["generic", "none", "presentation", ""]);
  const NAME_FROM_CONTENT = new Set(["button", "link", "heading", "option", "menuitem", "menuitemcheckbox",
    "menuitemradio", "tab", "treeitem", "cell", "gridcell", "columnheader", "rowheader", "checkbox", "radio",
    "switch", "tooltip", "term", "caption"]);
  const LABELABLE = new Set(["textbox", "searchbox", "combobox", "listbox", "checkbox", "radio", "slider",
    "spinbutton", "switch"]);
  const INPUT_ROLES = {
    text: "textbox", email: "textbox", tel: "textbox", url: "textbox", password: "textbox", date: "textbox",
    "datetime-local": "textbox", month: "textbox", week: "textbox", time: "textbox", color: "textbox",
    search: "searchbox", checkbox: "checkbox", radio: "radio", range: "slider", number: "spinbutton",
    button: "button", submit: "button", reset: "button", image: "button", file: "button",
  };
  const TAG_ROLES = {
    BUTTON: "button", TEXTAREA: "textbox", OPTION: "option", OPTGROUP: "group", H1: "heading", H2: "heading",
    H3: "heading", H4: "heading", H5: "heading", H6: "heading", UL: "list", OL: "list", MENU: "list",
    LI: "listitem", NAV: "navigation", MAIN: "main", ASIDE: "complementary", ARTICLE: "article",
    DIALOG: "dialog", DETAILS: "group", SUMMARY: "button", TABLE: "table", TR: "row", TD: "cell",
    P: "paragraph", FIELDSET: "group", HR: "separator", PROGRESS: "progressbar", METER: "meter", DT: "term",
    DD: "definition", BLOCKQUOTE: "blockquote", IFRAME: "iframe", FORM: "form", CAPTION: "caption",
  };
  const MAX_NAME = 200;
  const lines = [];
  const hiddenCache = new Map();
  let next = window.__miraNextId || 1;
  let nodes = 0;

  const squash = (s) => (s || "").replace(/\s+/g, " ").trim();
  const clip = (s) => (s.length > MAX_NAME ? s.slice(0, MAX_NAME - 1) + "\u2026" : s);

  function hidden(el) {  // the element and its subtree are not rendered
    if (hiddenCache.has(el)) return hiddenCache.get(el);
    let h = el.hidden || el.getAttribute("aria-hidden") === "true" ||
      (el.tagName === "INPUT" && (el.getAttribute("type") || "").toLowerCase() === "hidden");
    if (!h) h = getComputedStyle(el).display === "none";
    hiddenCache.set(el, h);
    return h;
  }
  const invisible = (el) => { const v = getComputedStyle(el).visibility; return v === "hidden" || v === "collapse"; };

  function role(el) {
    const explicit = squash(el.getAttribute("role")).split(" ")[0];
    if (explicit) return explicit;
    const tag = el.tagName;
    if (tag === "A" || tag === "AREA") return el.hasAttribute("href") ? "link" : "generic";
    if (tag === "INPUT") return INPUT_ROLES[(el.getAttribute("type") || "text").toLowerCase()] || "textbox";
    if (tag === "SELECT") return el.multiple || el.size > 1 ? "listbox" : "combobox";
    if (tag === "IMG") return el.getAttribute("alt") === "" ? "none" : "img";
    if (tag === "TH") return el.getAttribute("scope") === "row" ? "rowheader" : "columnheader";
    if (tag === "SECTION") return el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby") ? "region" : "generic";
    if (el.isContentEditable && !(el.parentElement && el.parentElement.isContentEditable)) return "textbox";
    return TAG_ROLES[tag] || "generic";
  }

  function contentText(node) {  // visible descendant text; images give their alt, controls nothing
    let out = "";
    for (const c of node.childNodes) {
      if (c.nodeType === 3) out += " " + c.data;
      else if (c.nodeType === 1 && !SKIP_TAGS.has(c.tagName) && !hidden(c)) {
        if (c.tagName === "IMG") out += " " + (c.getAttribute("alt") || "");
        else if (!["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(c.tagName) || node.tagName !== "LABEL") out += " " + contentText(c);
      }
    }
    return out;
  }

  function name(el, r) {
    const aria = squash(el.getAttribute("aria-label"));
    if (aria) return aria;
    const by = el.getAttribute("aria-labelledby");
    if (by) {
      const t = squash(by.split(/\s+/).map((id) => { const e = document.getElementById(id); return e ? contentText(e) : ""; }).join(" "));
      if (t) return t;
    }
    const tag = el.tagName;
    if (tag === "INPUT") {
      const type = (el.getAttribute("type") || "text").toLowerCase();
      if (type === "submit" || type === "reset" || type === "button") return squash(el.value) || (type === "submit" ? "Submit" : type === "reset" ? "Reset" : "");
      if (type === "image") return squash(el.getAttribute("alt"));
    }
    if (LABELABLE.has(r) && el.labels && el.labels.length) {
      const t = squash(Array.from(el.labels).map(contentText).join(" "));
      if (t) return t;
    }
    if (tag === "IMG" || tag === "AREA") { const t = squash(el.getAttribute("alt")); if (t) return t; }
    if (tag === "FIELDSET" || tag === "TABLE" || tag === "FIGURE") {
      const cap = el.querySelector(tag === "FIELDSET" ? ":scope > legend" : tag === "TABLE" ? ":scope > caption" : ":scope > figcaption");
      if (cap) { const t = squash(contentText(cap)); if (t) return t; }
    }
    if (NAME_FROM_CONTENT.has(r) && !["INPUT", "SELECT", "TEXTAREA"].includes(tag)) {
      const t = squash(contentText(el)); if (t) return t;
    }
    return squash(el.getAttribute("title")) || squash(el.getAttribute("placeholder"));
  }

  function props(el, r) {
    const out = [];
    const tag = el.tagName;
    if (tag === "SELECT" && r === "combobox") {
      const o = el.selectedOptions && el.selectedOptions[0];
      if (o) out.push(`value='${clip(squash(o.textContent))}'`);
    } else if (["textbox", "searchbox", "spinbutton", "slider", "combobox"].includes(r)) {
      const v = tag === "INPUT" || tag === "TEXTAREA" ? el.value : (el.isContentEditable ? el.innerText : el.getAttribute("aria-valuenow"));
      if (v) out.push(`value='${clip(String(v).replace(/\n/g, "\\n"))}'`);
    }
    if (["checkbox", "radio", "switch", "menuitemcheckbox", "menuitemradio"].includes(r)) {
      const c = tag === "INPUT" ? (el.indeterminate ? "mixed" : String(el.checked)) : (el.getAttribute("aria-checked") || "false");
      out.push(`checked='${c}'`);
    }
    if ((tag === "OPTION" && el.selected) || el.getAttribute("aria-selected") === "true") out.push("selected");
    const exp = el.getAttribute("aria-expanded");
    if (exp) out.push(`expanded='${exp}'`);
    if (el.disabled || el.getAttribute("aria-disabled") === "true") out.push("disabled");
    if (el.required || el.getAttribute("aria-required") === "true") out.push("required");
    if (el === document.activeElement && el !== document.body) out.push("focused");
    return out;
  }

  // depth: indentation of emitted children; ctxName: name of the nearest emitted ancestor;
  // ownerId: id of the parent element when it was pruned (its text keeps that id, so it stays clickable).
  function walk(parent, depth, ctxName, visible) {
    for (const c of parent.childNodes) {
      if (c.nodeType === 3) {
        const t = squash(c.data);
        if (!t || !visible || (ctxName && ctxName.includes(t))) continue;
        const owner = parent.nodeType === 1 && !parent.__miraEmitted ? `[${parent.getAttribute(ATTR)}] ` : "";
        lines.push("\t".repeat(depth) + `${owner}StaticText '${clip(t)}'`);
        nodes++;
      } else if (c.nodeType === 1) {
        visitElement(c, depth, ctxName);
      }
    }
  }

  function visitElement(el, depth, ctxName) {
    if (SKIP_TAGS.has(el.tagName) || hidden(el)) return;
    if (!el.hasAttribute(ATTR)) el.setAttribute(ATTR, String(next++));
    const visible = !invisible(el);
    const r = role(el);
    el.__miraEmitted = visible && !PRUNED.has(r);
    let childDepth = depth, childName = ctxName;
    if (el.__miraEmitted) {
      const n = clip(name(el, r));
      const p = props(el, r);
      lines.push("\t".repeat(depth) + `[${el.getAttribute(ATTR)}] ${r}` + (n ? ` '${n}'` : "") + (p.length ? " " + p.join(", ") : ""));
      nodes++;
      childDepth = depth + 1;
      childName = n;
    }
    if (NO_CHILDREN.has(el.tagName)) return;
    walk(el, childDepth, childName, visible);
    if (el.shadowRoot) walk(el.shadowRoot, childDepth, childName, visible);
  }

  if (document.body) visitElement(document.body, 0, "");
  window.__miraNextId = next;
  return { text: lines.join("\n"), title: document.title, nodes };
}
