// A Vue 3 shop page with the widget. `.history` makes Vue set the element's property (not an
// attribute); `onWhythisFeedback` listens to the `whythis-feedback` event.
import { createApp, h, ref } from "vue";
import { start } from "whythis";

const HISTORY = [
  { item: 50, action: "rated_5" },
  { item: 172, action: "rated_5" },
  { item: 181, action: "rated_4" },
  { item: 1, action: "rated_4" },
  { item: 121, action: "rated_3" },
];

const Shop = {
  setup() {
    const status = ref("starting whythis…");
    const answers = ref([]);
    start().then(() => (status.value = "whythis started"), (e) => (status.value = String(e)));
    return () =>
      h("main", [
        h("h1", "A shop built with webpack and Vue"),
        h("p", { id: "status" }, status.value),
        h("why-this-item", {
          model: "models/sasrec.packed.card.json",
          "top-k": "3",
          verb: "watched",
          ".history": HISTORY,
          onWhythisFeedback: (e) => answers.value.push(e.detail),
          onWhythisError: (e) => (status.value = e.detail.message),
        }),
        h("p", { id: "answers" }, `${answers.value.length} answers: ${answers.value.map((a) => `${a.item}:${a.helpful ? "yes" : "no"}`).join(", ")}`),
      ]);
  },
};

createApp(Shop).mount("#app");
