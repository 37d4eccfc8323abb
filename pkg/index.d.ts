// Typings of the whythis ES module (index.js) and of the <why-this-item> element.

/** One past interaction, oldest first. */
export interface HistoryEvent {
  item: number;
  action?: string;
  ts?: number;
}

/** A history: events, or bare item ids, oldest first. */
export type History = Array<HistoryEvent | number>;

/** How much attention detail an explanation reports. */
export type AttentionDetail = "last_layer" | "all_layers";

/** Options of one explanation request; every key is optional. */
export interface ExplainOptions {
  top_k?: number;
  allow_seen?: boolean;
  item?: number | null;
  seed?: number;
  /** Shapley estimator: "kernel" (default, stops at its accuracy goal) or "permutation"; exact values whenever every coalition fits. */
  estimator?: Estimator;
  /** Most coalitions the Shapley estimate may score, shared ones included (default 640). */
  shapley_coalitions?: number;
  /** The kernel estimator stops once its estimated relative error is at most this (default 0.03). */
  shapley_target_error?: number;
  /** Permutations of the permutation estimator. */
  permutations?: number;
  /** Window budget of the counterfactual search, all items together (default 240). */
  counterfactual_windows?: number;
  max_events?: number;
  attention?: AttentionDetail;
  sensitive_tags?: string[];
  sensitive_items?: number[];
  rank_only?: boolean;
  /** Wall-clock budget in ms: the counterfactual search and the Shapley estimate do less to keep it (see `cost.degraded`). */
  time_budget_ms?: number | null;
  /** Budget in scored windows: like `time_budget_ms`, but the same on every machine. */
  max_windows?: number | null;
  /** What-if: window positions to leave out; candidates and K stay those of the whole window. */
  without?: number[];
  /** Past tense of your main action ("watched"), used in sentences for every event. */
  verb?: string | null;
  /** The visitor's standing decisions, applied before anything is ranked (the widget keeps its own). */
  controls?: Controls;
}

/** One history event as a control names it: by item and time, as positions shift when the history grows. */
export interface EventKey { item: number; ts?: number | null }

/**
 * The visitor's controls (docs/explanations.md, "Controls"): the widget keeps them on the device per
 * `history-key` and model, reports each change in a `whythis-controls` event, and takes them as
 * `el.controls`. Unknown fields are refused.
 */
export interface Controls {
  /** "Not interested": never recommended again. */
  not_interested?: number[];
  /** "Don't use this": events left out of the history. */
  unused_events?: EventKey[];
  /** Every event of an item with one of these tags is left out (NFKC, case-folded). */
  unused_tags?: string[];
  /** Events before this time (seconds since the epoch) are left out; events with no time are kept. */
  unused_before?: number | null;
  /** Use only the last N events (N ≥ 1). */
  last_events?: number | null;
  /** "Show picks not based on my history": the ranking of the empty window. */
  not_personalised?: boolean;
}

/** What the controls did to one request, and one sentence saying it (empty when they changed nothing). */
export interface ControlsApplied {
  events_left_out: number;
  by_event: number;
  by_tag: number;
  by_date: number;
  by_recency: number;
  items_hidden: number;
  not_personalised: boolean;
  sentence: string;
  /** Every decision one by one, in words; pass `decides` to take one back alone. */
  choices: StatedChoice[];
}

/** One decision of the visitor's: controls that decide only it, and it in words. */
export interface StatedChoice {
  decides: Controls;
  sentence: string;
}

/** How whythis names an item: the title shortened (`short`) and whole (`full`), or the private phrase. */
export interface DisplayName { short: string; full: string }

/** An event of the window the model saw; `position` 0 is the oldest. */
export interface WindowEvent {
  position: number;
  item: number;
  action?: string;
  ts?: number;
}

export interface OcclusionEntry {
  position: number;
  item: number;
  delta: number;
  rank_without: number;
}

export interface AttentionEntry {
  position: number;
  weight: number;
}

/** Every layer's attention of the last query slot, and the rollout (`attention: "all_layers"`). */
export interface AttentionLayers {
  layers: AttentionEntry[][];
  rollout: AttentionEntry[];
}

export interface ShapleyEntry {
  position: number;
  value: number;
  /** Estimated standard error of `value` (0 when exact). */
  standard_error: number;
}

export interface ShapleyValues {
  values: ShapleyEntry[];
  permutations: number;
  seed: number;
  exact: boolean;
  estimator: Estimator;
  /** Coalitions scored, shared ones included. */
  coalitions: number;
  /** Root sum of squared standard errors over the values' norm (0 when exact). */
  relative_error: number;
}

/** Which Shapley estimator produced the values. */
export type Estimator = "exact" | "kernel" | "permutation";

export interface CounterfactualSet {
  positions: number[];
  new_rank: number;
  replaced_by: number;
}

/** What the counterfactual search tried: a null kind is proven absent only when `complete_up_to` reaches `max_events`. */
export interface CounterfactualSearch {
  sets_tried: number;
  complete_up_to: number;
  stopped_by_budget: boolean;
}

/** null where no set within `max_events` was found (see `search` for whether none exists). */
export interface Counterfactuals {
  drop_out: CounterfactualSet | null;
  displace: CounterfactualSet | null;
  max_events: number;
  search: CounterfactualSearch;
}

export interface RecentVsLongTerm {
  recent_events: number;
  without_recent: number;
  only_recent: number;
}

export interface SimilarityEntry {
  position: number;
  item: number;
  cosine: number;
}

export interface Ledger {
  by_action: Record<string, number>;
  by_tag: Record<string, number>;
  by_recency: Record<string, number>;
  similarity: SimilarityEntry[];
}

/** Which part of the window counts for more toward an item. */
export type Verdict = "recent" | "long_term";

/** Under a what-if, an item's rank with every event of the window, and the change in words ("up from #3"). */
export interface RankChange {
  rank_with_all_events: number;
  movement: string;
}

/** What a what-if left out (positions of the whole window, ascending), what it kept, and the what-if in words. */
export interface WhatIf {
  without: number[];
  kept: number[];
  sentence: string;
}

/** The explanation of one item (docs/explanations.md §3); present unless `rank_only` was asked. */
export interface ItemExplanation {
  occlusion: OcclusionEntry[];
  attention: AttentionEntry[] | null;
  shapley: ShapleyValues;
  counterfactual: Counterfactuals;
  recent_vs_long_term: RecentVsLongTerm;
  ledger: Ledger;
  narrative: string;
  narrative_template: string;
  counterfactual_sentences: string[];
  verdict: Verdict | null;
  deep_dive: string[];
  per_event_summary: string;
  shapley_note: string;
  attention_layers?: AttentionLayers;
  /** The recourse steps and the counterpoint title; absent for an empty window. */
  recourse?: Recourse;
}

/** Recourse (docs/explanations.md §3): "what weighed most", "what that did", "something else instead". */
export interface Recourse {
  steps: string[];
  /** Verified by re-scoring its window; null when no window tried brought in a title not shown now. */
  alternative: Alternative | null;
}

/** Which changed window an alternative comes from. */
export type AlternativeSource = "counterfactual" | "long_term_only";

/** A title not in the top K now that a changed window brings in. */
export interface Alternative {
  item: number;
  name: DisplayName;
  source: AlternativeSource;
  /** Positions that window leaves out, ascending. */
  without: number[];
  /** Its rank in that window. */
  rank: number;
  /** The explained item's rank in that window. */
  item_rank: number;
}

/** The main parameters in plain words (DSA Art. 27): what the model reads, and what weighs most here. */
export interface MainParameters {
  uses: string[];
  weighs: string[];
}

export interface Recommendation extends Partial<ItemExplanation> {
  rank: number;
  item: number;
  score: number;
  title?: string;
  name: DisplayName;
  /** Only for a what-if: the rank with every event, and the change in words. */
  what_if?: RankChange;
}

/** Model evaluations used. `degraded`: one sentence per method that did less than asked to stay within a budget. */
export interface Cost {
  model_calls: number;
  windows: number;
  by_method: Record<string, number>;
  degraded?: string[];
}

/** The explanation document (docs/explanations.md §5). */
export interface ExplanationDocument {
  format: "whythis-explanation/1";
  model?: string;
  window: WindowEvent[];
  window_names: DisplayName[];
  /** The window items' tags that may be shown (none marked sensitive), for a "don't use this kind" control. */
  window_tags: string[];
  /** Only for a what-if: positions left out and kept (of the whole window), and the what-if in words. */
  what_if?: WhatIf;
  /** Only when controls were set: what they did. */
  controls?: ControlsApplied;
  recommendations: Recommendation[];
  /** Only for an explained (not rank-only) document: the main parameters in plain words. */
  parameters?: MainParameters;
  cost?: Cost;
}

/** `detail` of the `whythis-feedback` event (bubbles, composed), and one record of the local log. */
export interface FeedbackDetail {
  /** Unique per answer; a reason typed afterwards is sent again with the same id. */
  id: string;
  item: number;
  rank: number;
  helpful: boolean;
  reason: string | null;
  /** The explanation the visitor was looking at: "narrative" or "deep_dive". */
  kind: "narrative" | "deep_dive";
  /** The narrative's template (`ItemExplanation.narrative_template`); null in records written before it was kept. */
  template?: string | null;
  /** The model card's name, or its URL. */
  model: string;
  /** ISO 8601. */
  time: string;
  /**
   * Only in the event: whether the answer was kept in the local log. When false (storage full, disabled
   * or throwing), a `whythis-error` with code "feedback-not-stored" follows and the panel says so.
   */
  stored?: boolean;
}

/**
 * Whose fault an error is: the card, the catalog (or an `itemInfo` answer), the ONNX model (unreadable, against the contract, or
 * failing when it runs), a download, the history (unreadable, or naming items or actions the model does
 * not know), "empty-history" (no longer raised: an empty history gets the picks for anyone), the options, the worker, the page's Trusted Types policy ("trusted-types":
 * it kept the worker from starting, so the model runs on the main thread; the message names the policy
 * to allow), whythis itself ("internal": a panic), or the local feedback log ("feedback-not-stored": an
 * answer reached the page but could not be kept, see `FeedbackDetail.stored`), or a file whose sha256 is
 * not the one its card names ("integrity": changed after the card was written, refused).
 */
export type ErrorCode =
  | "card"
  | "catalog"
  | "model"
  | "fetch"
  | "history"
  | "empty-history"
  | "options"
  | "worker"
  | "trusted-types"
  | "internal"
  | "feedback-not-stored"
  | "integrity";

/**
 * `detail` of the `whythis-error` event (bubbles, composed). Messages are sentences for people; they never
 * list the visitor's history.
 */
export interface ErrorDetail {
  code: ErrorCode;
  message: string;
  /** The model card's name, or its URL when the model did not load. */
  model: string;
}

/** What `Engine` throws: an Error whose `code` names the input at fault. */
export interface EngineError extends Error {
  code: ErrorCode;
}

/** A model loaded on the calling thread (the engine module; `loadModel` loads it first). */
/** Its constructor and `explain` throw an `EngineError`. */
export class Engine {
  /** `model`: the card's ONNX file, or a packed card's NNEF archive (then `embedding`: its embeddings file). */
  constructor(card: Uint8Array, model: Uint8Array, catalog?: Uint8Array | null, embedding?: Uint8Array | null);
  explain(history: History, options?: ExplainOptions): ExplanationDocument;
  free(): void;
}

export interface StartOptions {
  /** Tag name to define; default "why-this-item". */
  elementName?: string;
  /**
   * true (default): models run in worker.js next to this module; a string: that worker URL; false: main
   * thread. A page that enforces Trusted Types admits, through the `whythis` policy, only worker.js.
   */
  worker?: boolean | string;
  /** Where the page's module whythis_ui_bg.wasm is, if not next to this module. */
  wasmUrl?: string | URL;
}

/** Loads the page's wasm (whythis_ui) and defines the custom element. Safe to call more than once. */
export function start(options?: StartOptions): Promise<void>;
/** Fetches a card, its model file (ONNX, or packed: then the small engine runs it) and catalog, and returns an Engine on this thread. */
export function loadModel(cardUrl: string | URL): Promise<Engine>;
/**
 * The local feedback log (oldest first; after `start()`). Each record is kept under its own localStorage
 * key, `whythis.feedback.v2.<id>`, so tabs answering at once never overwrite each other; the newest 500
 * are kept; an old `whythis.feedback.v1` array is moved over once.
 */
export function feedbackLog(): FeedbackDetail[];
/** Empties the local feedback log (after `start()`). */
export function clearFeedbackLog(): void;
/** The package version (after `start()`). */
export function version(): string;

/**
 * The attributes of `<why-this-item>` (custom-elements.json describes each), for typing a framework's
 * templates: `top-k="5"`, `loading="eager"`, …
 */
export interface WhyThisItemAttributes {
  model?: string;
  "top-k"?: number | string;
  "history-key"?: string;
  verb?: string;
  label?: string;
  "sensitive-items"?: string;
  "sensitive-tags"?: string;
  "time-budget-ms"?: number | string;
  /** "lazy" (default): the model and the engine load when the element nears the viewport; "eager": at once. */
  loading?: "lazy" | "eager";
  /** While present, the element is not shown and does no work. */
  hidden?: boolean;
  /** A link to the host's page on how it recommends, shown under "How these picks are made"; only http(s) or relative. */
  "parameters-href"?: string;
}

/** One item's names, as a `catalog.json` entry has them: what an `ItemInfoResolver` answers. */
export interface ItemInfo {
  /** An id it was asked for. */
  id: number;
  /** The display title, shown as text, never as markup. */
  title: string;
  /** Genre or tag names (used by `sensitive-tags` and the tag ledger); default none. */
  tags?: string[];
}

/**
 * Names items on demand instead of the card's catalog.json (pkg/README, "A large catalog: itemInfo"):
 * called with at most 100 ids, each asked once per model; answers at most one entry per id asked,
 * within 10 s. Ids left out are named by their id. What it throws or rejects with is never shown.
 */
export type ItemInfoResolver = (ids: number[]) => Promise<ItemInfo[]> | ItemInfo[];

/** `<why-this-item model="…card.json" top-k="5" history-key="…" verb="watched" label="…">` */
export interface WhyThisItemElement extends HTMLElement {
  /** The visitor's history, oldest first. */
  history: History | undefined;
  /** Reads the history again from the `history-key` localStorage entry. */
  refresh(): void;
  /** Names items on demand; when set, the card's catalog.json is not downloaded. Default null. */
  itemInfo: ItemInfoResolver | null;
  /** The current ranking and the explanations computed so far. */
  readonly explanation: ExplanationDocument | null;
  /** The visitor's lasting choices (kept on this device per history-key and model); null forgets them. */
  controls: Controls | null;
}

/** `detail` of the `whythis-controls` event (bubbles, composed): every choice now in force and what changed. */
export interface ControlsDetail {
  controls: Controls;
  /** What changed, as the panel announced it. */
  change: string;
  /** False when this device could not keep the choices (they apply until the page is left). */
  stored: boolean;
}

declare global {
  interface HTMLElementTagNameMap {
    "why-this-item": WhyThisItemElement;
  }
  interface HTMLElementEventMap {
    "whythis-feedback": CustomEvent<FeedbackDetail>;
    "whythis-error": CustomEvent<ErrorDetail>;
    "whythis-controls": CustomEvent<ControlsDetail>;
  }
}
