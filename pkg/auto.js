// One-tag embedding: <script type="module" src=".../whythis/auto.js"></script> defines <why-this-item>.
import { start } from "./index.js";

start().catch((error) => console.error("whythis could not start:", error));
