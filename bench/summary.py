"""Prints the benchmark figures found in bench/out/ (and criterion's estimates) as markdown tables, ready
to paste into BENCHMARKS.md, with each issue-5 target and whether it is met. Run by bench/run.sh.

Usage: python3 bench/summary.py CRITERION_DIR
"""
from __future__ import annotations

import datetime
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")


def ms(x: float) -> str:
    return f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms" if x < 1000 else f"{x / 1000:.2f} s"


def kb(b: float) -> str:
    return f"{b / 1024:.1f} KB"


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def criterion_rows(root: str) -> list[tuple[str, float]]:
    """(bench id, median ns) for every criterion estimate under root, in a stable order."""
    rows = []
    for dirpath, _dirs, files in os.walk(root):
        if os.path.basename(dirpath) == "new" and "estimates.json" in files and "benchmark.json" in files:
            with open(os.path.join(dirpath, "benchmark.json")) as f:
                full_id = json.load(f)["full_id"]
            with open(os.path.join(dirpath, "estimates.json")) as f:
                median = json.load(f)["median"]["point_estimate"]
            rows.append((full_id, median))
    return sorted(rows)


def native(root: str) -> None:
    rows = criterion_rows(root) if root else []
    if not rows:
        text = os.path.join(OUT, "native.txt")
        if os.path.exists(text):
            with open(text) as f:
                print("\n### Native (bench/native.rs, release, default model)\n\n```\n" + f.read().rstrip() + "\n```")
        return
    print("\n### Native (criterion, release, one thread, default model, 50-event window)\n")
    print("| bench | median |\n|---|---|")
    for name, ns in rows:
        print(f"| {name} | {ms(ns / 1e6)} |")


def browser() -> None:
    path = os.path.join(OUT, "browser.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        b = json.load(f)
    size, cold = b["size"], b["first_recommendations_cold"]
    s, warm = b.get("scoring"), b.get("first_recommendations_warm")
    w, wp = b["widgets"]["onnx"], b["widgets"]["packed"]
    default = next((e for e in b.get("explanation", []) if e.get("label", "").startswith("default")), None)
    print(f"\n### Download and load targets (browser run of {b['date'][:16].replace('T', ' ')} UTC, Chromium {b['chromium']}"
          f"{', quick' if b['quick'] else ''})\n")
    if "load_before" in b:
        print(f"Load average of the 2-core machine: {b['load_before'][0]:.1f} before, {b['load_after'][0]:.1f} after.\n")
    print("| target | measured | verdict |\n|---|---|---|")
    ot = size["ort_total"]
    for form, label in (("packed", "packed card (small engine)"), ("onnx", "ONNX card")):
        t = size[form]["total"]
        print(f"| widget download (page module + engine + JS) ≤ 700 KB brotli, model excluded: {label} | {kb(t['brotli'])} brotli "
              f"({kb(t['raw'])} raw, {kb(t['gzip'])} gzip) | {verdict(t['brotli'] <= 700 * 1024)} |")
        print(f"| … and ≤ 0.3 × onnxruntime-web's ({kb(ot['brotli'])} brotli): {label} | ratio {size[form]['ratio_brotli']:.2f} | "
              f"{verdict(size[form]['ratio_brotli'] <= 0.3)} |")
    page = sum(r["brotli"] for r in size["packed"]["files"] if "whythis_ui" in r["file"])
    print(f"| the page's own module (whythis_ui wasm + glue) ≤ 150 KB brotli | {kb(page)} | {verdict(page <= 150 * 1024)} |")
    for engine, label in (("tract-packed", "packed card, small engine"), ("tract", "ONNX card")):
        c = cold[engine]
        print(f"| model bytes → first ranking ≤ 300 ms, cold page: {label} | {ms(c['total_ms'])} (runtime {ms(c['runtime_ms'])}"
              f" + model {ms(c['model_ms'])}; onnxruntime-web {ms(cold['ort']['total_ms'])}) | {verdict(c['total_ms'] <= 300)} |")
    if warm:
        print(f"| model bytes → first recommendations, runtime loaded | {ms(warm['tract_ms'])} (onnxruntime-web {ms(warm['ort_ms'])}) | "
              f"{verdict(warm['tract_ms'] <= 300)} |")
    if s:
        print(f"| batch-{s['batch']} leave-one-out scoring, tract/onnxruntime-web ≤ 1.0 (interleaved, medians of {s['runs']}) | "
              f"{ms(s['tract_loo_ms'])} vs {ms(s['ort_loo_ms'])}: ratio **{s['ratio_loo']:.2f}** | {verdict(s['ratio_loo'] <= 1.0)} |")
    if default:
        print(f"| whole top-10 explanation at the accuracy goal ≤ 300 ms in the browser (issue 11) | {ms(default['ms'])} "
              f"({default['windows']} windows, Shapley error {100 * default['shapley_error']:.1f} %) | {verdict(default['ms'] <= 300)} |")
    for form, wd in (("ONNX card", w), ("packed card", wp)):
        print(f"| history → first panel on screen (ranking, occlusion, counterfactuals) ≤ 100 ms (issue 11), {form} | "
              f"{wd['history_to_first_panel_ms']} ms ({'first pass' if wd['first_panel_was_first_pass'] else 'final'}; "
              f"first ranking {wd['history_to_first_ranking_ms']} ms) | {verdict(wd['history_to_first_panel_ms'] <= 100)} |")
        print(f"| click on \"Why this?\" → panel within one frame once explained, {form} | {ms(wd['click_to_panel_ms'])}, at most "
              f"{wd['click_to_panel_max_frames']} frame(s) | {verdict(wd['click_to_panel_max_frames'] <= 1)} |")
        print(f"| main thread never blocks > 50 ms (widget page, load → all explained), {form} | longest task "
              f"{ms(wd['longest_task_ms'])}, {wd['long_tasks']} task(s) over 50 ms | {verdict(wd['longest_task_ms'] <= 50)} |")
    print(f"\nSame top 10 from the ONNX and the packed engine, cold: {'yes' if cold['tract']['top'] == cold['tract-packed']['top'] else 'NO'}.")

    if s and warm:
        print("\n### Browser: tract-wasm against onnxruntime-web (same model bytes, same input tensors)\n")
        print("| measure | whythis (tract-wasm) | onnxruntime-web | ratio tract/ort |\n|---|---|---|---|")
        print(f"| runtime load (fetch + compile wasm), cold page | {ms(cold['tract']['runtime_ms'])} (small engine {ms(cold['tract-packed']['runtime_ms'])}) | inside its first session "
              f"create (JS import alone {ms(cold['ort']['runtime_ms'])}) | – |")
        print(f"| model bytes → top 10, cold page (median of {cold['tract']['runs']}) | {ms(cold['tract']['total_ms'])} | "
              f"{ms(cold['ort']['total_ms'])} | {cold['tract']['total_ms'] / cold['ort']['total_ms']:.2f} |")
        print(f"| model bytes → top 10, runtime loaded (median of {warm['runs']}) | {ms(warm['tract_ms'])} | {ms(warm['ort_ms'])} | "
              f"{warm['tract_ms'] / warm['ort_ms']:.2f} |")
        print(f"| scoring batch 1 (median of {s['runs']}) | {ms(s['tract_batch1_ms'])} | {ms(s['ort_batch1_ms'])} | {s['ratio_batch1']:.2f} |")
        print(f"| scoring batch {s['batch']} leave-one-out (median of {s['runs']}) | {ms(s['tract_loo_ms'])} | {ms(s['ort_loo_ms'])} | "
              f"**{s['ratio_loo']:.2f}** |")
        for e in b["explanation"]:
            print(f"| whole top-10 explanation, {e.get('label', e.get('permutations'))} ({e['windows']} windows, {e['model_calls']} calls; "
                  f"median of {e['runs']}) | {ms(e['ms'])} | no explainer; scoring the same windows alone ≈ "
                  f"{ms(e['ort_scoring_only_estimate_ms'])} (estimate) | {e['ms'] / e['ort_scoring_only_estimate_ms']:.2f} |")
        same = warm["tops"]["tract"] == warm["tops"]["ort"]
        print(f"\nSame top 10 from both engines: {'yes' if same else 'NO'}; largest score difference on the "
              f"leave-one-out batch {s['leave_one_out_max_abs_diff']:.1e}.")

    print("\n### Size of every file fetched (model files excluded)\n")
    print("| file | raw | gzip -9 | brotli 11 |\n|---|---|---|---|")
    for label, rows, t in (("whythis widget, packed card", size["packed"]["files"], size["packed"]["total"]),
                           ("whythis widget, ONNX card", size["onnx"]["files"], size["onnx"]["total"]),
                           ("onnxruntime-web", size["ort"], ot)):
        for r in rows:
            print(f"| `{r['file']}` | {kb(r['raw'])} | {kb(r['gzip'])} | {kb(r['brotli'])} |")
        print(f"| **{label} total** | {kb(t['raw'])} | {kb(t['gzip'])} | **{kb(t['brotli'])}** |")


def scaling() -> None:
    path = os.path.join(OUT, "scaling.jsonl")
    if not os.path.exists(path):
        return
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    print("\n### Scaling (native, release, one configuration per process; whole explanation = top K, "
          f"Shapley {rows[0]['permutations']} permutations)\n")
    print("| model | window (events) | catalog (items) | top K | load | batch 1 | leave-one-out batch | "
          "whole explanation | windows | peak memory |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['card']} | {r['events']} | {r['num_items']} | {r['top_k']} | {ms(r['load_ms'])} | "
              f"{ms(r['batch1_ms'])} | {ms(r['leave_one_out_ms'])} | {ms(r['explain_ms'])} | {r['windows']} | "
              f"{r['peak_rss_mib']:.0f} MiB |")


def main() -> None:
    print(f"<!-- generated by bench/summary.py on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC -->")
    browser()
    native(sys.argv[1] if len(sys.argv) > 1 else "")
    scaling()


if __name__ == "__main__":
    main()
