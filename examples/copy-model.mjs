// Copies the repository's default model into an example's build, at build time, so the example apps
// serve it from their own origin without a second copy of it in git: its packed form (whythis pack), as
// a storefront would ship it, which the widget runs in its small engine. The packed card names every
// file it needs in `sha256`. `node ../copy-model.mjs DIR` writes DIR/models/.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const models = resolve(dirname(fileURLToPath(import.meta.url)), "../models");
const out = join(resolve(process.argv[2] || "."), "models");
const card = "sasrec.packed.card.json";
const files = [card, ...Object.keys(JSON.parse(readFileSync(join(models, card), "utf8")).sha256)];
mkdirSync(out, { recursive: true });
for (const file of files) copyFileSync(join(models, file), join(out, file));
console.log(`copy-model: ${files.join(", ")} -> ${out}`);
