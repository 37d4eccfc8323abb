// Copies the repository's default model (card, ONNX file, catalog) into an example's build, at build
// time, so the example apps serve it from their own origin without a second copy of it in git.
// `node ../copy-model.mjs DIR` writes DIR/models/.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const models = resolve(dirname(fileURLToPath(import.meta.url)), "../models");
const out = join(resolve(process.argv[2] || "."), "models");
const card = "sasrec.card.json";
const { onnx, catalog } = JSON.parse(readFileSync(join(models, card), "utf8"));
mkdirSync(out, { recursive: true });
for (const file of [card, onnx, catalog].filter(Boolean)) copyFileSync(join(models, file), join(out, file));
console.log(`copy-model: ${card}, ${onnx}, ${catalog} -> ${out}`);
