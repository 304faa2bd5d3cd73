// llama_tokenize_vectors.mjs: expected ids from llama.cpp's tokenizer (the judge for GGUF vocabularies) for
// tests/SharpLM.Text.Tests/Fixtures/judge/strings.json on every vocabulary in ../shared/data/tokenizers/gguf-vocab,
// and on variants of GPT-2's vocabulary derived with gguf_edit.mjs: each tokenizer.ggml.pre name llama.cpp knows,
// the key removed, an unknown name (llama.cpp refuses to load), byte tokens renamed away (missing bytes), and
// added-token rules. Writes Fixtures/judge/llama-cpp.json (variants, ids, and llama_detokenize of the ids);
// GgufJudgeTests replays it. The strings go through llama_tokenize_many.cpp (llama-tokenize's llama_tokenize call,
// many strings per process), built here against a llama.cpp build tree:
//   LLAMA=/path/to/llama.cpp node tests/oracles/judge/llama_tokenize_vectors.mjs   (from the repo root)
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readGguf, writeGguf, applyEdits } from "./gguf_edit.mjs";

const llama = process.env.LLAMA ?? "/work/peers/llama.cpp";
const data = path.resolve("../shared/data/tokenizers/gguf-vocab");
const fixtures = "tests/SharpLM.Text.Tests/Fixtures/judge";
const strings = JSON.parse(fs.readFileSync(path.join(fixtures, "strings.json"), "utf8"));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "judge-"));
const exe = path.join(tmp, "tokenize_many");
execFileSync("g++", ["-O1", "-std=c++17", `-I${llama}/include`, `-I${llama}/ggml/include`, "tests/oracles/judge/llama_tokenize_many.cpp",
  `-L${llama}/build/bin`, "-lllama", "-o", exe]);

const VOCABS = ["gpt-2", "llama-spm", "phi-3", "bert-bge", "deepseek-coder", "mpt", "gpt-neox", "baichuan"];
const PRE_NAMES = ["default", "llama3", "llama-v3", "llama-bpe", "falcon3", "deepseek-llm", "deepseek-coder", "deepseek-v3",
  "falcon", "mpt", "starcoder", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es", "jina-v2-de",
  "jina-v2-code", "roberta-bpe", "refact", "command-r", "qwen2", "deepseek-r1-qwen", "stablelm2", "olmo", "dbrx",
  "smaug-bpe", "poro-chat", "chatglm-bpe", "viking", "jais", "tekken", "smollm", "codeshell", "bloom", "gpt3-finnish",
  "exaone", "chameleon", "minerva-7b", "megrez"];

const gpt2 = readGguf(path.join(data, "ggml-vocab-gpt-2.gguf"));
const gpt2Tokens = gpt2.kv.find((e) => e.key === "tokenizer.ggml.tokens").value;
const idOf = (t) => gpt2Tokens.indexOf(t);
// Byte tokens renamed away: space 'Ġ', newline 'Ċ', '!', '~', and the lead/continuation bytes 0xE2, 0xF0, 0x9F, 0x80.
const missing = {};
for (const t of ["Ġ", "Ċ", "!", "~", "â", "ð", "Ł", "Ģ"]) missing[idOf(t)] = `<no-byte ${t}>`;

const variants = {};
for (const v of VOCABS) variants[v] = { base: v, edits: {} };
for (const n of PRE_NAMES) variants[`gpt-2@pre=${n}`] = { base: "gpt-2", edits: { pre: n } };
variants["gpt-2@nopre"] = { base: "gpt-2", edits: { pre: null } };
variants["gpt-2@pre=no-such-pre"] = { base: "gpt-2", edits: { pre: "no-such-pre" } };
variants["gpt-2@missing-bytes"] = { base: "gpt-2", edits: { renameTokens: missing } };
variants["gpt-2@missing-bytes+llama3"] = { base: "gpt-2", edits: { renameTokens: missing, pre: "llama3" } };

function run(file, idx, special) {
  const f = path.join(tmp, `in-${Math.random().toString(36).slice(2)}.bin`);
  fs.writeFileSync(f, Buffer.concat(idx.flatMap((i) => [Buffer.from(strings[i], "utf8"), Buffer.alloc(1)])));
  return new Promise((resolve) => execFile(exe, [file, f, special ? "1" : "0"], { maxBuffer: 1 << 26, env: { ...process.env, LD_LIBRARY_PATH: `${llama}/build/bin` } },
    (err, stdout) => {
      fs.unlinkSync(f);
      if (err) throw err;
      const lines = stdout.split("\n").filter((l) => l.length > 0);
      if (lines[0].startsWith("error:")) return resolve(idx.map(() => ({ error: lines[0] })));
      const out = [];
      for (let k = 0; k < idx.length; k++) {
        const ids = lines[2 * k].slice(4).trim();
        const decoded = Buffer.from(lines[2 * k + 1].slice(6), "hex").toString("utf8");
        // decoded: llama_detokenize of the ids, kept only where it is not the input itself.
        out.push({ ids: ids === "" ? [] : ids.split(" ").map(Number), ...(decoded === strings[idx[k]] ? {} : { decoded }) });
      }
      resolve(out);
    }));
}

const cases = [];
for (const [name, v] of Object.entries(variants)) {
  const file = path.join(tmp, `${name.replace(/[^a-z0-9.=@+-]/gi, "_")}.gguf`);
  writeGguf(file, applyEdits(readGguf(path.join(data, `ggml-vocab-${v.base}.gguf`)), v.edits));
  const all = strings.map((_, i) => i);
  const plain = await run(file, all, false);
  all.forEach((i, k) => cases.push({ v: name, s: i, special: false, ...plain[k] }));
  const sp = all.filter((i) => /[<\[]/.test(strings[i]));
  const withSpecial = await run(file, sp, true);
  sp.forEach((i, k) => cases.push({ v: name, s: i, special: true, ...withSpecial[k] }));
}
fs.writeFileSync(path.join(fixtures, "llama-cpp.json"),
  JSON.stringify({ judge: "llama.cpp llama-tokenize", variants, cases }).replace(/\},\{"v"/g, '},\n{"v"'));
fs.rmSync(tmp, { recursive: true });
console.log(`wrote ${cases.length} cases for ${Object.keys(variants).length} variants`);
