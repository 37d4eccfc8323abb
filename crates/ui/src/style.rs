//! The widget's stylesheet, placed inside its shadow root. Hosts theme it with CSS custom properties
//! set on the element (they inherit into the shadow tree):
//! `--whythis-font`, `--whythis-fg`, `--whythis-muted`, `--whythis-bg`, `--whythis-surface`,
//! `--whythis-border`, `--whythis-accent`, `--whythis-accent-fg`, `--whythis-focus`,
//! `--whythis-positive`, `--whythis-negative`, `--whythis-radius`.

/// The CSS text.
pub const CSS: &str = r#"
:host {
  display: block;
  font-family: var(--whythis-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--whythis-fg, #1d1d1f);
  background: var(--whythis-bg, #ffffff);
  line-height: 1.45;
  font-size: 1rem;
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
/* Catalog text is the host's: a 10,000-character word must wrap inside the box, not widen it. */
.wt { overflow-wrap: anywhere; min-width: 0; }
.wt { border: 1px solid var(--whythis-border, #c7c7cc); border-radius: var(--whythis-radius, 10px); padding: 0.75rem 1rem; background: var(--whythis-bg, #fff); }
.wt-heading { font-size: 1.15rem; margin: 0 0 0.5rem; }
.wt-sub { font-size: 1rem; margin: 0.75rem 0 0.25rem; font-weight: 600; }
/* Live regions stay in the tree when empty (display: none would keep them from announcing). */
.wt-alert:empty, .wt-status:empty { padding: 0; margin: 0; border: 0; background: none; min-height: 0; }
.wt-alert:empty::before { content: none; }
.wt-alert { border-left: 4px solid var(--whythis-negative, #a4262c); background: #fdf3f4; color: #5c1114; padding: 0.5rem 0.75rem; margin: 0.25rem 0 0.5rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.wt-alert::before { content: "⚠ "; }
.wt-status { color: var(--whythis-muted, #4a4a4f); font-size: 0.9rem; margin: 0.25rem 0; }
.wt-wait { color: var(--whythis-muted, #4a4a4f); }
.wt-notice { border-left: 4px solid #8a6d00; background: #fff8e1; color: #3d3000; padding: 0.5rem 0.75rem; margin: 0.25rem 0 0.5rem; overflow-wrap: anywhere; }
.wt-list { list-style: none; margin: 0; padding: 0; }
.wt-item { border-top: 1px solid var(--whythis-border, #c7c7cc); padding: 0.4rem 0; }
.wt-item:first-child { border-top: none; }
.wt-row { display: flex; align-items: center; gap: 0.6rem; flex-wrap: wrap; }
.wt-rank { font-weight: 700; min-width: 2.2rem; color: var(--whythis-muted, #4a4a4f); }
.wt-title { flex: 1 1 12rem; font-weight: 600; overflow-wrap: anywhere; }
.wt-move { font-size: 0.85rem; color: var(--whythis-muted, #4a4a4f); border: 1px solid currentColor; border-radius: 999px; padding: 0 0.5rem; }
button { font: inherit; cursor: pointer; }
.wt-why, .wt-btn, .wt-switch, .wt-toggle {
  min-height: 32px; min-width: 32px; padding: 0.25rem 0.75rem;
  border: 1px solid var(--whythis-accent, #0b57d0); border-radius: 6px;
  background: var(--whythis-surface, #fff); color: var(--whythis-accent, #0b57d0);
}
.wt-why[aria-expanded="true"], .wt-btn[aria-pressed="true"] { background: var(--whythis-accent, #0b57d0); color: var(--whythis-accent-fg, #fff); }
:focus-visible { outline: 3px solid var(--whythis-focus, #b3006b); outline-offset: 2px; }
.wt-panel { margin: 0.5rem 0 0.5rem 0; padding: 0.75rem; background: var(--whythis-surface, #f6f7f9); border-radius: var(--whythis-radius, 10px); }
.wt-panel[hidden] { display: none; }
.wt-narrative { font-size: 1.02rem; margin: 0 0 0.5rem; }
.wt-cf p { margin: 0.25rem 0; padding-left: 0.75rem; border-left: 3px solid var(--whythis-accent, #0b57d0); }
.wt-choices { margin: 0.3rem 0; padding-left: 1.25rem; overflow-wrap: anywhere; }
.wt-choices li { margin: 0.15rem 0; }
.wt-recourse { margin: 0.5rem 0; padding-left: 1.5rem; overflow-wrap: anywhere; }
.wt-recourse li { margin: 0.2rem 0; }
.wt-parameters-bar { margin: 0.5rem 0; }
.wt-parameters { margin-top: 0.4rem; overflow-wrap: anywhere; font-size: 0.92rem; }
.wt-parameters[hidden] { display: none; }
.wt-parameters ul { margin: 0.2rem 0 0.5rem; padding-left: 1.25rem; }
.wt-parameters-h { margin: 0.4rem 0 0; font-weight: 600; }
.wt-note, .wt-evals { font-size: 0.85rem; color: var(--whythis-muted, #4a4a4f); }
.wt-events { list-style: none; padding: 0; margin: 0.25rem 0; }
.wt-ev { display: grid; grid-template-columns: minmax(8rem, 2fr) minmax(6rem, 1.2fr) minmax(8rem, 1.6fr) auto; gap: 0.5rem; align-items: center; padding: 0.2rem 0; }
@media (max-width: 560px) { .wt-ev { grid-template-columns: 1fr auto; } .wt-bar { grid-column: 1 / -1; } }
.wt-ev-name { overflow-wrap: anywhere; min-width: 0; }
.wt-ev-action { display: inline-block; margin-left: 0.4rem; font-size: 0.8rem; color: var(--whythis-muted, #4a4a4f); }
.wt-ev-value { font-size: 0.85rem; }
.wt-off .wt-ev-title { text-decoration: line-through; color: var(--whythis-muted, #4a4a4f); }
.wt-bar { display: flex; height: 12px; border: 1px solid var(--whythis-border, #c7c7cc); border-radius: 3px; overflow: hidden; background: #fff; }
.wt-bar-neg, .wt-bar-pos { flex: 1 1 50%; display: flex; }
.wt-bar-neg { justify-content: flex-end; border-right: 1px solid var(--whythis-fg, #1d1d1f); }
.wt-fill-pos { background: var(--whythis-positive, #b35806); }
.wt-fill-neg { background: repeating-linear-gradient(135deg, var(--whythis-negative, #2166ac) 0 4px, #8fb3dc 4px 6px); }
.wt-switch[aria-checked="true"], .wt-toggle[aria-checked="true"] { background: var(--whythis-accent, #0b57d0); color: var(--whythis-accent-fg, #fff); }
.wt-switch[aria-checked="true"]::before, .wt-toggle[aria-checked="true"]::before { content: "✓ "; }
.wt-switch[aria-checked="false"]::before, .wt-toggle[aria-checked="false"]::before { content: "✕ "; }
.wt-switch[aria-disabled="true"] { opacity: 0.7; cursor: progress; }
.wt-deep-toggle { margin: 0.5rem 0; }
.wt-deep[hidden] { display: none; }
.wt-heat { margin: 0.5rem 0; }
.wt-canvas { width: 100%; max-width: 640px; height: auto; border: 1px solid var(--whythis-border, #c7c7cc); display: block; }
.wt-table-wrap { overflow-x: auto; max-height: 20rem; }
.wt-table { border-collapse: collapse; font-size: 0.85rem; margin: 0.25rem 0.75rem 0.5rem 0; }
.wt-table caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
.wt-table th, .wt-table td { border: 1px solid var(--whythis-border, #c7c7cc); padding: 0.15rem 0.4rem; text-align: left; }
.wt-table td { font-variant-numeric: tabular-nums; }
.wt-ledger-grid { display: flex; flex-wrap: wrap; align-items: flex-start; }
details > summary { cursor: pointer; min-height: 24px; padding: 0.2rem 0; color: var(--whythis-accent, #0b57d0); }
.wt-fb { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin-top: 0.75rem; padding-top: 0.5rem; border-top: 1px dashed var(--whythis-border, #c7c7cc); }
.wt-fb-q { font-weight: 600; }
.wt-fb-reason { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; width: 100%; }
.wt-fb-reason input { min-height: 32px; flex: 1 1 12rem; font: inherit; padding: 0.2rem 0.4rem; border: 1px solid var(--whythis-muted, #4a4a4f); border-radius: 4px; }
.wt-controls { display: flex; flex-wrap: wrap; gap: 0.4rem 0.75rem; align-items: center; font-size: 0.85rem; margin: 0.4rem 0; }
.wt-controls form { display: inline-flex; flex-wrap: wrap; gap: 0.25rem; align-items: center; margin: 0; max-width: 100%; }
.wt-controls select { max-width: 100%; min-width: 0; }
.wt-controls button, .wt-status { overflow-wrap: anywhere; }
.wt-controls input[type="number"] { width: 4.5em; }
.wt-controls-said { flex-basis: 100%; margin: 0; }
.wt-controls-said:empty { display: none; }
.wt-reset-confirm { display: inline-flex; gap: 0.3rem; align-items: center; }
.wt-reset-confirm[hidden] { display: none; }
.wt-whatif { background: #fff8e1; border: 1px solid #8a6d00; color: #3d3000; border-radius: 6px; padding: 0.4rem 0.6rem; }
.wt-log { margin-top: 0.75rem; font-size: 0.85rem; color: var(--whythis-muted, #4a4a4f); display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
.wt-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.wt-pending::after { content: ""; display: inline-block; width: 0.8em; height: 0.8em; margin-left: 0.4em; border: 2px solid currentColor; border-right-color: transparent; border-radius: 50%; animation: wt-spin 0.8s linear infinite; vertical-align: -0.1em; }
@keyframes wt-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
}
"#;
