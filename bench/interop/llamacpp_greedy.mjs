// llamacpp_greedy.mjs: loads a GGUF with llama.cpp (npm node-llama-cpp, its prebuilt CPU binaries) and
// prints the greedy continuation of a prompt given as token ids, as JSON {"tokens": [...]}.
// Usage: node llamacpp_greedy.mjs MODEL.gguf "1,2,3" N [threads]
import { getLlama } from "node-llama-cpp";

const [model, idsArg, nArg, threadsArg] = process.argv.slice(2);
const prompt = idsArg.split(",").map(Number);
const n = Number(nArg);
const llama = await getLlama({ gpu: false, logLevel: "error" });
const m = await llama.loadModel({ modelPath: model });
const ctx = await m.createContext({ contextSize: Math.max(64, prompt.length + n + 8), threads: Number(threadsArg ?? 2) });
const seq = ctx.getSequence();
const out = [];
for await (const token of seq.evaluate(prompt, { temperature: 0 })) {
  out.push(token);
  if (out.length >= n) break;
}
console.log(JSON.stringify({ tokens: out }));
await ctx.dispose();
await m.dispose();
