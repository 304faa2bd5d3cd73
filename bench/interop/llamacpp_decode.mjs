// llamacpp_decode.mjs: times llama.cpp (npm node-llama-cpp, prebuilt CPU binaries) on a GGUF: prefill of a
// prompt given as token ids (best of `reps` runs on a cleared sequence) and greedy decode of N tokens
// after it (time of tokens 2..N+1, i.e. N single-token evaluations). Prints JSON
// {"prefill_tps": ..., "decode_tps": ..., "tokens": [first N+1 greedy ids]}.
// Usage: node llamacpp_decode.mjs MODEL.gguf "1,2,3" N THREADS [reps]
import { getLlama } from "node-llama-cpp";

const [model, idsArg, nArg, threadsArg, repsArg] = process.argv.slice(2);
const prompt = idsArg.split(",").map(Number);
const n = Number(nArg), threads = Number(threadsArg), reps = Number(repsArg ?? 3);
const llama = await getLlama({ gpu: false, logLevel: "error" });
const m = await llama.loadModel({ modelPath: model });
const ctx = await m.createContext({ contextSize: prompt.length + n + 16, batchSize: 512, threads });
const seq = ctx.getSequence();

let bestPrefill = Infinity;
for (let r = 0; r < reps + 1; r++) { // the first run warms the mapping up and is not counted
  await seq.clearHistory();
  const t0 = performance.now();
  await seq.evaluateWithoutGeneratingNewTokens(prompt);
  const dt = (performance.now() - t0) / 1000;
  if (r > 0) bestPrefill = Math.min(bestPrefill, dt);
}

await seq.clearHistory();
const out = [];
let tFirst = 0;
const t0 = performance.now();
for await (const token of seq.evaluate(prompt, { temperature: 0 })) {
  out.push(token);
  if (out.length === 1) tFirst = performance.now();
  if (out.length >= n + 1) break;
}
const decodeSeconds = (performance.now() - tFirst) / 1000;
console.log(JSON.stringify({ prefill_tps: prompt.length / bestPrefill, decode_tps: n / decodeSeconds, tokens: out }));
await ctx.dispose();
await m.dispose();
