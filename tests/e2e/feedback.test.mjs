// The feedback loop closes: a visitor of the demo answers "Was this helpful?" on several items, with the
// narrative alone and with the deeper dive open, exports the log from the panel, and
// `whythis feedback-report` (the native CLI) reads that very file and counts every answer where it belongs.
// The exported file is kept in artifacts/feedback-export.json; tests/fixtures/feedback/exported.json is
// one such file, for the native tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { artifacts, demoSuite, repo } from "./suite.mjs";

const LOAD_TIMEOUT = 180_000;
const suite = demoSuite({ name: "feedback", viewport: { width: 1280, height: 900 }, figuresFile: "feedback.json", figures: {} });

test("answers exported from the panel are what whythis feedback-report counts", async () => {
  const page = await suite.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(suite.server.url + "/");
  await page.selectOption("#user", { index: 2 });
  const widget = page.locator("why-this-item#main-widget");
  await page.waitForFunction(
    () => document.querySelector("#main-widget")?.explanation?.recommendations.every((r) => r.narrative),
    null,
    { timeout: LOAD_TIMEOUT },
  );
  const items = widget.locator(".wt-item");
  const n = await items.count();
  assert.ok(n >= 4, "at least four recommendations to answer");
  const given = [];
  for (let i = 0; i < n; i++) {
    const item = items.nth(i);
    if ((await item.locator(".wt-why").getAttribute("aria-expanded")) !== "true") await item.locator(".wt-why").click();
    const deep = i % 2 === 1;
    if (deep) {
      await item.locator(".wt-deep-toggle").click();
      await item.locator(".wt-deep canvas").waitFor();
    }
    const helpful = i % 3 !== 2;
    await item.locator(helpful ? ".wt-fb-yes" : ".wt-fb-no").click();
    await item.locator(".wt-fb-thanks", { hasText: "Thanks for your feedback." }).waitFor();
    if (i === 1) {
      await item.locator(".wt-fb-reason input").fill("the older films explain it");
      await item.locator(".wt-fb-reason button").click();
      await item.locator(".wt-fb-thanks", { hasText: "reason was saved" }).waitFor();
    }
    given.push({ rank: i + 1, helpful, kind: deep ? "deep_dive" : "narrative" });
  }
  const download = page.waitForEvent("download");
  await widget.locator(".wt-log-export").click();
  const exported = join(artifacts, "feedback-export.json");
  copyFileSync(await (await download).path(), exported);

  // The CLI the native tests built (scripts/test.sh runs them first), else built here.
  const built = join(process.env.CARGO_TARGET_DIR || join(repo, "target"), "debug", "whythis");
  const [command, args] = existsSync(built)
    ? [built, []]
    : ["cargo", ["run", "--quiet", "--offline", "--bin", "whythis", "--"]];
  const cli = spawnSync(command, [...args, "feedback-report", exported, "--json"], { cwd: repo, encoding: "utf8", maxBuffer: 1 << 24 });
  assert.equal(cli.status, 0, `whythis feedback-report failed:\n${cli.stderr}`);
  const report = JSON.parse(cli.stdout);
  assert.equal(report.overall.answers, given.length, "one answer per item, its later reason merged in");
  assert.equal(report.overall.helpful, given.filter((g) => g.helpful).length);
  assert.equal(report.with_reason, 1);
  const groups = (dimension) => Object.fromEntries(report.by.find((b) => b.dimension === dimension).groups.map((g) => [g.value, g]));
  const kinds = groups("kind");
  for (const kind of ["narrative", "deep_dive"]) {
    const mine = given.filter((g) => g.kind === kind);
    assert.equal(kinds[kind].answers, mine.length, kind);
    assert.equal(kinds[kind].helpful, mine.filter((g) => g.helpful).length, kind);
  }
  const positions = groups("position");
  for (const g of given) assert.equal(positions[`#${g.rank}`].helpful, g.helpful ? 1 : 0, `#${g.rank}`);
  const templates = groups("template");
  assert.ok(!("(not recorded)" in templates), "every answer names its narrative's template");
  const models = Object.keys(groups("model"));
  assert.equal(models.length, 1, "one model answered about");
  assert.ok(models[0].length > 0, "a model id");
  assert.deepEqual(errors, []);
  await page.close();
});
