// serve_load.mjs: the client side of `sharplm-bench serve` — N concurrent clients, each sending R streaming chat
// completions (greedy, max_tokens T, EOS ignored so every answer has T tokens) with the official `openai` npm
// client to an OpenAI-compatible server (ours or llama.cpp's llama-server). Prints one JSON line: generated
// tokens/s over the whole run (all clients), time to first token and inter-token latency percentiles (ms).
// Usage: node serve_load.mjs BASE_URL MODEL CLIENTS REQUESTS_PER_CLIENT MAX_TOKENS
import OpenAI from "openai";
import http from "node:http";

const [baseURL, model, clients, perClient, maxTokens] = process.argv.slice(2);
// No keep-alive: llama-server closes a connection after a stream, and a reused socket would fail the next request.
const client = new OpenAI({ baseURL, apiKey: "none", maxRetries: 0, timeout: 600_000, httpAgent: new http.Agent({ keepAlive: false }) });
const ttft = [], itl = [];
let tokens = 0, errors = 0;

async function one(c, r) {
  const start = performance.now();
  let last = 0, n = 0;
  const stream = await client.chat.completions.create({
    model, stream: true, temperature: 0, max_tokens: Number(maxTokens), ignore_eos: true,
    messages: [{ role: "user", content: `client ${c} request ${r}: tell me a long story about the sea and ships.` }],
  });
  for await (const chunk of stream) {
    const text = chunk.choices?.[0]?.delta?.content;
    if (!text) continue;
    const now = performance.now();
    if (n === 0) ttft.push(now - start); else itl.push(now - last);
    last = now;
    n++;
  }
  tokens += n;
}

async function worker(c) {
  for (let r = 0; r < Number(perClient); r++) {
    try { await one(c, r); } catch (e) { errors++; console.error(String(e)); }
  }
}

const pct = (xs, p) => { if (!xs.length) return NaN; const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const t0 = performance.now();
await Promise.all(Array.from({ length: Number(clients) }, (_, c) => worker(c)));
const secs = (performance.now() - t0) / 1000;
console.log(JSON.stringify({
  clients: Number(clients), tokens, seconds: secs, tokens_per_second: tokens / secs, errors,
  ttft_p50_ms: pct(ttft, 0.5), ttft_p99_ms: pct(ttft, 0.99), itl_p50_ms: pct(itl, 0.5), itl_p99_ms: pct(itl, 0.99),
}));
