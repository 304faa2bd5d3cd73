// tokenize_peers.mjs: encode throughput of the npm peers on the same line-aligned chunks SharpLM's
// TokenizeBench uses: HF tokenizers (Rust, napi) loading a GPT-2 tokenizer.json, and tiktoken (Rust -> WASM)
// with its gpt2 / cl100k_base encodings. Prints one JSON object per line; run by `sharplm-bench tokenize`.
// Usage: node bench/peers/tokenize_peers.mjs <gpt2 tokenizer.json> <runs> <corpus>...
// (RAYON_NUM_THREADS sets HF's batch threads; modules come from bench/.npm, see bench/run-tokenize.sh)
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", ".npm", "node_modules", "x.js"));
const { Tokenizer } = require("tokenizers");
const { get_encoding } = require("tiktoken");

const [tokJson, runsArg, ...corpora] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const CHUNK = 64 * 1024;

function chunks(text) {
  const out = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + CHUNK);
    if (end < text.length) { const nl = text.indexOf("\n", end); end = nl < 0 ? text.length : nl + 1; }
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}

function fnv(ids, h) { for (const id of ids) { h = Math.imul(h ^ id, 16777619) >>> 0; } return h; }

async function best(fn) {
  await fn(); // warm-up (caches, JIT)
  let bestMs = Infinity, result;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    result = await fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < bestMs) bestMs = ms;
  }
  return { ms: bestMs, ...result };
}

const hf = Tokenizer.fromFile(tokJson);
const encs = { gpt2: get_encoding("gpt2"), cl100k_base: get_encoding("cl100k_base") };
for (const file of corpora) {
  const text = fs.readFileSync(file, "utf8");
  const bytes = Buffer.byteLength(text, "utf8");
  const parts = chunks(text);
  const emit = (peer, encoding, threads, r) => console.log(JSON.stringify({
    peer, encoding, corpus: path.basename(file), threads, bytes, ms: r.ms, mbps: bytes / 1e6 / (r.ms / 1e3), tokens: r.tokens, hash: r.hash }));

  emit("hf-tokenizers", "gpt2", 1, await best(async () => {
    let tokens = 0, hash = 2166136261;
    for (const p of parts) { const ids = (await hf.encode(p, null, { addSpecialTokens: false })).getIds(); tokens += ids.length; hash = fnv(ids, hash); }
    return { tokens, hash };
  }));
  emit("hf-tokenizers", "gpt2", Number(process.env.RAYON_NUM_THREADS ?? 2), await best(async () => {
    let tokens = 0, hash = 2166136261;
    for (const e of await hf.encodeBatch(parts, { addSpecialTokens: false })) { const ids = e.getIds(); tokens += ids.length; hash = fnv(ids, hash); }
    return { tokens, hash };
  }));
  for (const [name, enc] of Object.entries(encs)) {
    emit("tiktoken", name, 1, await best(async () => {
      let tokens = 0, hash = 2166136261;
      for (const p of parts) { const ids = enc.encode_ordinary(p); tokens += ids.length; hash = fnv(ids, hash); }
      return { tokens, hash };
    }));
  }
}
for (const e of Object.values(encs)) e.free();
