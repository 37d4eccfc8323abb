// A small static file server for the built demo (dist/) and the e2e fixtures, on 127.0.0.1.
// `node server.mjs DIR [PORT]` serves DIR with the demo's CSP (as `trunk serve` does; see below for
// Trusted Types); imported, `serve(dir, mounts)` returns { url, close }.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".onnx": "application/octet-stream",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ts": "text/plain; charset=utf-8",
};

/**
 * The demo's Content-Security-Policy, read from Trunk.toml's `[serve] headers` (the one place it is written),
 * so `trunk serve`, `node server.mjs` and the tests send the same header.
 */
export function demoPolicy() {
  const toml = readFileSync(new URL("../../Trunk.toml", import.meta.url), "utf8");
  const found = /"content-security-policy"\s*=\s*"([^"]*)"/.exec(toml);
  if (!found) throw new Error("Trunk.toml's [serve] headers have no content-security-policy");
  return found[1];
}

/**
 * The demo's policy with Trusted Types enforced (issue 17): no string reaches a script-URL or HTML sink
 * except through a policy that `trusted-types` names. `allow` is that list: "whythis" (whythis's
 * own policy, what a host adds) or "'none'" (a host that allows no policy).
 */
export function trustedTypesPolicy(allow) {
  return `${demoPolicy()}; require-trusted-types-for 'script'; trusted-types ${allow}`;
}

/** Serves `root`, plus `mounts` ({ "/prefix/": "/abs/dir" }), with optional extra headers. */
export function serve(root, { mounts = {}, headers = {}, port = 0, onRequest = null } = {}) {
  const server = createServer(async (req, res) => {
    if (onRequest) onRequest(req.method, req.url);
    try {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      let base = root;
      let rel = path;
      for (const [prefix, dir] of Object.entries(mounts)) {
        if (path.startsWith(prefix)) {
          base = dir;
          rel = path.slice(prefix.length - 1);
        }
      }
      let file = normalize(join(base, rel));
      if (!file.startsWith(resolve(base))) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] || "application/octet-stream",
        "cache-control": "no-cache",
        ...headers,
      });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((ok) => {
    server.listen(port, "127.0.0.1", () => {
      const { port: p } = server.address();
      ok({ url: `http://127.0.0.1:${p}`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

// WHYTHIS_TRUSTED_TYPES=whythis (or "'none'") serves the demo with Trusted Types enforced.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] || "dist");
  const allow = process.env.WHYTHIS_TRUSTED_TYPES;
  const headers = { "content-security-policy": allow ? trustedTypesPolicy(allow) : demoPolicy() };
  const { url } = await serve(dir, { port: Number(process.argv[3] || 8080), headers });
  console.log(`serving ${dir} at ${url}/`);
}
