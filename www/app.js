// The Reel Picks demo: an ordinary page that uses the whythis package the way any storefront would.
// All text from the catalog is set with textContent, never as markup.
import { start } from "./pkg/index.js";

const HISTORY_KEY = "reelpicks.history";
const SHOWN_TITLES = 36;

const $ = (id) => document.getElementById(id);
const catalog = new Map();
let popular = [];
let history = [];

function readHistory() {
  try {
    const value = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function title(item) {
  return catalog.get(item)?.title ?? `Item ${item}`;
}

function say(text) {
  $("shop-status").textContent = text;
}

function setHistory(events, announce) {
  history = events;
  localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  renderHistory();
  // Two ways a host can hand over the history: the property, or a localStorage key it names.
  $("main-widget").history = history;
  const second = document.getElementById("second-widget");
  if (second) second.refresh();
  if (announce) say(announce);
}

function renderHistory() {
  const list = $("history");
  list.replaceChildren();
  list.start = history.length;
  $("history-more").textContent = history.length > 12 ? `… and ${history.length - 12} earlier` : "";
  $("history-count").textContent = `(${history.length} event${history.length === 1 ? "" : "s"})`;
  const recent = history.map((e, i) => [e, i]).slice(-12).reverse();
  for (const [event, index] of recent) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = title(event.item);
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = event.action ? event.action.replace("rated_", "") + "★" : "";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "icon";
    remove.textContent = "✕";
    remove.setAttribute("aria-label", `Remove ${title(event.item)} from your history`);
    remove.addEventListener("click", () => {
      const next = history.slice();
      next.splice(index, 1);
      setHistory(next, `Removed ${title(event.item)}.`);
    });
    li.append(name, " ", meta, " ", remove);
    list.append(li);
  }
}

function renderTitles() {
  const q = $("q").value.trim().toLowerCase();
  const ids = q
    ? [...catalog.values()].filter((e) => e.title.toLowerCase().includes(q)).map((e) => e.id)
    : popular.filter((id) => catalog.has(id));
  const list = $("titles");
  list.replaceChildren();
  for (const id of ids.slice(0, SHOWN_TITLES)) {
    const entry = catalog.get(id);
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "title";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = entry.title;
    const tags = document.createElement("span");
    tags.className = "tags";
    tags.textContent = (entry.tags || []).slice(0, 3).join(" · ");
    button.append(name, tags);
    button.addEventListener("click", () => {
      const stars = $("rating").value;
      setHistory([...history, { item: id, action: `rated_${stars}` }], `Added ${entry.title}, rated ${stars} stars.`);
    });
    li.append(button);
    list.append(li);
  }
  if (ids.length === 0) {
    const li = document.createElement("li");
    li.textContent = "No title matches.";
    list.append(li);
  }
}

function logEvent(event) {
  const li = document.createElement("li");
  li.textContent = `${event.type}: ${JSON.stringify(event.detail)}`;
  $("event-log").prepend(li);
}

async function main() {
  document.addEventListener("whythis-feedback", logEvent);
  document.addEventListener("whythis-error", logEvent);
  await start();

  const [catalogResponse, usersResponse] = await Promise.all([fetch("models/catalog.json"), fetch("sample-users.json")]);
  if (catalogResponse.ok) {
    for (const entry of await catalogResponse.json()) catalog.set(entry.id, entry);
  }
  const samples = usersResponse.ok ? await usersResponse.json() : { users: [], popular: [] };
  popular = samples.popular || [];
  const select = $("user");
  for (const user of samples.users || []) {
    const option = document.createElement("option");
    option.value = String(user.user);
    option.textContent = `${user.name} (${user.history.length} ratings)`;
    select.append(option);
  }
  select.addEventListener("change", () => {
    const user = (samples.users || []).find((u) => String(u.user) === select.value);
    setHistory(user ? user.history.slice() : [], user ? `Loaded the history of ${user.name}.` : "Started an empty history.");
  });
  $("q").addEventListener("input", renderTitles);
  $("clear-history").addEventListener("click", () => setHistory([], "History cleared."));

  // A second widget on the same page, on another model, fed through a localStorage key.
  const second = await fetch("models/gru4rec.packed.card.json", { method: "HEAD" }).catch(() => null);
  if (second && second.ok) {
    const el = document.createElement("why-this-item");
    el.id = "second-widget";
    el.setAttribute("model", "models/gru4rec.packed.card.json");
    el.setAttribute("top-k", "3");
    el.setAttribute("verb", "watched");
    el.setAttribute("label", "Also for you (GRU4Rec, no attention)");
    el.setAttribute("history-key", HISTORY_KEY);
    $("second-slot").append(el);
  }

  history = readHistory();
  const params = new URLSearchParams(location.search);
  if (params.has("user")) {
    const user = (samples.users || []).find((u) => String(u.user) === params.get("user"));
    if (user) {
      history = user.history.slice();
      select.value = String(user.user);
    }
  }
  renderTitles();
  setHistory(history);
}

main().catch((error) => {
  say(`The shop could not start: ${error.message}`);
  console.error(error);
});
