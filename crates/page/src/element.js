// The thin custom-element wrapper around the Rust widget (leptos has no custom elements of its own).
// It holds no logic: every lifecycle callback is forwarded to the hooks that Rust hands over.
// Bundled by wasm-bindgen as a snippet; no inline script, no eval (works under a strict CSP).
//
// This module outlives a wasm instance: when a panic traps the page's instance, pkg/index.js starts a
// fresh one from the same compiled module, whose define_element hands the element over to its hooks
// and re-mounts every mounted widget from its attributes and the history kept here.
//
// A widget starts work (its model, the engine's worker and wasm) only when it is connected, not
// `hidden`, and near the viewport, or at once with `loading="eager"`; while hidden it does nothing, and
// catches up when shown. Disconnected, it gives back its panel, its observer entry and, with the last
// widget, the engine's worker.

// The attributes the Rust widget reads; `hidden` and `loading` are this wrapper's own (see `_wake`).
const WIDGET_ATTRIBUTES = ["model", "top-k", "history-key", "verb", "label", "sensitive-tags", "sensitive-items", "time-budget-ms", "parameters-href"];
const OBSERVED = [...WIDGET_ATTRIBUTES, "hidden", "loading"];
// How near the viewport a lazy widget starts (its model, the engine's worker and wasm): about a screen
// of scrolling ahead, so the panel is ready when it comes into view.
const NEAR = "600px 0px";
// How long the engine's worker outlives the last widget: long enough for a widget that is only moved
// (disconnected and connected again in one task) to keep it.
const RELEASE_AFTER_MS = 0;

// The hooks of the live instance, and the element class defined with them (one per page).
let hooks = null;
let defined = null;
const mounted = new Set();
let nearObserver = null;
let releaseTimer = null;

// One IntersectionObserver for every lazy widget; a widget leaves it once near (or disconnected).
function observeNear(element) {
  if (typeof IntersectionObserver !== "function") {
    element._near = true; // no observer to ask: loads at once
    return;
  }
  nearObserver ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        nearObserver.unobserve(entry.target);
        entry.target._near = true;
        entry.target._wake();
      }
    },
    { rootMargin: NEAR },
  );
  nearObserver.observe(element);
}

function unobserveNear(element) {
  if (nearObserver) nearObserver.unobserve(element);
}

export function define_element(name, newHooks, crashedWidget, crashMessage) {
  if (defined && customElements.get(name) === defined) {
    hooks = newHooks;
    for (const element of [...mounted]) {
      const crashed = crashedWidget !== 0 && element._whythisId === crashedWidget;
      element._whythisId = 0;
      element._whythisMount(crashed ? { message: crashMessage, model: element._whythisModel || "" } : undefined);
    }
    return true;
  }
  if (customElements.get(name)) {
    return false;
  }
  hooks = newHooks;
  class WhyThisItem extends HTMLElement {
    static get observedAttributes() {
      return OBSERVED;
    }

    constructor() {
      super();
      this._whythisId = 0;
      this._history = undefined;
      this._itemInfo = null;
      this._near = false;
      // While hidden, a mounted widget does no work: what changed waits here until it is shown.
      this._stale = new Set();
    }

    connectedCallback() {
      if (this._whythisId) return;
      if (!this._near && this.getAttribute("loading") !== "eager") observeNear(this);
      this._wake();
    }

    // Mounts the widget once it is connected, shown and near the viewport (or `loading="eager"`), and
    // hands a mounted one what changed while it was hidden.
    _wake() {
      if (!this.isConnected || this.hasAttribute("hidden")) return;
      if (!this._near && this.getAttribute("loading") !== "eager") return;
      if (!this._whythisId) {
        // A history set before the element was defined is an own property: move it behind the accessor.
        if (Object.prototype.hasOwnProperty.call(this, "history")) {
          const early = this.history;
          delete this.history;
          this._history = early;
        }
        if (Object.prototype.hasOwnProperty.call(this, "itemInfo")) {
          const early = this.itemInfo;
          delete this.itemInfo;
          this._itemInfo = typeof early === "function" ? early : null;
        }
        if (Object.prototype.hasOwnProperty.call(this, "controls")) {
          const early = this.controls;
          delete this.controls;
          this._controls = early;
        }
        this._stale.clear();
        unobserveNear(this);
        mounted.add(this);
        clearTimeout(releaseTimer);
        this._whythisMount(undefined);
        return;
      }
      const stale = [...this._stale];
      this._stale.clear();
      for (const change of stale) {
        if (change === "history") this._sendHistory();
        else hooks.attribute(this._whythisId, change);
      }
    }

    // Mounts the Rust widget; `crash` ({message, model}) makes it show the panic that stopped the last instance.
    _whythisMount(crash) {
      const root = this.shadowRoot || this.attachShadow({ mode: "open" });
      this._whythisId = hooks.connected(this, root, crash);
      if (this._controls !== undefined) {
        hooks.setControls(this._whythisId, this._controls);
        this._controls = undefined;
      }
      if (this._history !== undefined && crash === undefined) {
        hooks.history(this._whythisId, JSON.stringify(this._history));
      }
    }

    disconnectedCallback() {
      unobserveNear(this);
      mounted.delete(this);
      this._stale.clear();
      if (this._whythisId) {
        const id = this._whythisId;
        this._whythisId = 0;
        hooks.disconnected(id);
      }
      // The last widget gone: the engine's worker (and its memory) goes too; a new widget starts another.
      if (mounted.size === 0) {
        clearTimeout(releaseTimer);
        releaseTimer = setTimeout(() => {
          if (mounted.size === 0) hooks.idle();
        }, RELEASE_AFTER_MS);
      }
    }

    attributeChangedCallback(attr, before, after) {
      if (before === after) return;
      if (attr === "hidden" || attr === "loading") {
        this._wake();
      } else if (this._whythisId) {
        if (this.hasAttribute("hidden")) this._stale.add(attr);
        else hooks.attribute(this._whythisId, attr);
      }
    }

    /** The visitor's history: an array of events `{item, action?, ts?}` or of item ids, oldest first. */
    get history() {
      return this._history;
    }

    set history(events) {
      this._history = events;
      if (!this._whythisId) return;
      if (this.hasAttribute("hidden")) this._stale.add("history");
      else this._sendHistory();
    }

    _sendHistory() {
      let text;
      try {
        text = JSON.stringify(this._history === undefined ? null : this._history);
      } catch (e) {
        text = "not json: " + String(e && e.message);
      }
      hooks.history(this._whythisId, text);
    }

    /**
     * The host's names for items, asked on demand instead of downloading the card's catalog:
     * `async (ids) => [{id, title, tags?}, …]`, or null for the catalog (pkg/README, "A large catalog").
     */
    get itemInfo() {
      return this._itemInfo;
    }

    set itemInfo(resolver) {
      const next = typeof resolver === "function" ? resolver : null;
      const changed = (next === null) !== (this._itemInfo === null);
      this._itemInfo = next;
      // From the catalog to a resolver or back, the model loads again (with or without its catalog).
      if (!changed || !this._whythisId) return;
      if (this.hasAttribute("hidden")) this._stale.add("model");
      else hooks.attribute(this._whythisId, "model");
    }

    /** Reads the history again from the `history-key` localStorage entry. */
    refresh() {
      if (!this._whythisId) return;
      if (this.hasAttribute("hidden")) this._stale.add("history-key");
      else hooks.attribute(this._whythisId, "history-key");
    }

    /** The current explanation document (docs/explanations.md §5) as a plain object, or null. */
    get explanation() {
      return this._whythisId ? hooks.document(this._whythisId) : null;
    }

    /** The visitor's controls in force (kept on this device per history-key and model), or null before connecting. */
    get controls() {
      return this._whythisId ? hooks.controls(this._whythisId) : null;
    }

    /** Sets the visitor's controls (kept and reported in whythis-controls); null forgets them all. */
    set controls(value) {
      if (this._whythisId) hooks.setControls(this._whythisId, value);
      else this._controls = value;
    }
  }
  customElements.define(name, WhyThisItem);
  defined = WhyThisItem;
  return true;
}

// Remembers the element's model id, for the whythis-error of a panic that kills the instance.
export function note_model(target, model) {
  target._whythisModel = model;
}

// Dispatches a CustomEvent that crosses the shadow boundary (bubbles, composed).
export function dispatch(target, type, detail) {
  return target.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));
}

// Saves text as a file without any network request (a blob: URL on an anchor with `download`).
export function save_text(filename, text, mime) {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// Styles the shadow root with one constructable stylesheet shared by every widget: no <style>
// element, so a host's `style-src` without 'unsafe-inline' does not block it. False when unsupported.
let sharedSheet = null;
export function adopt_style(root, css) {
  try {
    if (!sharedSheet) {
      sharedSheet = new CSSStyleSheet();
      sharedSheet.replaceSync(css);
    }
    root.adoptedStyleSheets = [sharedSheet];
    return true;
  } catch (e) {
    return false;
  }
}
