// A React 19 shop page with the widget: React 19 sets `history` as a property of the custom element and
// listens to its events through `onwhythis-feedback` / `onwhythis-error`. It renders the element once
// start() has defined it: React sets a prop as a property only on an element that has it, and as an
// attribute (a lost history) on one not defined yet.
import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { start } from "whythis";

const HISTORY = [
  { item: 50, action: "rated_5" },
  { item: 172, action: "rated_5" },
  { item: 181, action: "rated_4" },
  { item: 1, action: "rated_4" },
  { item: 121, action: "rated_3" },
];

function Shop() {
  const [ready, setReady] = useState(false);
  const [answers, setAnswers] = useState([]);
  const [error, setError] = useState(null);
  useEffect(() => {
    start().then(() => setReady(true), (e) => setError(String(e)));
  }, []);
  return (
    <main>
      <h1>A shop built with Vite and React</h1>
      <p id="status">{error ?? (ready ? "whythis started" : "starting whythis…")}</p>
      {ready && (
        <why-this-item
          model="models/sasrec.packed.card.json"
          top-k="3"
          verb="watched"
          history={HISTORY}
          onwhythis-feedback={(e) => setAnswers((a) => [...a, e.detail])}
          onwhythis-error={(e) => setError(e.detail.message)}
        />
      )}
      <p id="answers">{answers.length} answers: {answers.map((a) => `${a.item}:${a.helpful ? "yes" : "no"}`).join(", ")}</p>
    </main>
  );
}

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <Shop />
  </StrictMode>,
);
