// tiktoken_gpt2.mjs: writes tests/SharpLM.Text.Tests/Fixtures/gpt2-tiktoken.json, the ids tiktoken (the npm
// package `tiktoken`, OpenAI's Rust BPE compiled to WASM) gives for the bpe-reference texts under the gpt2
// encoding, and for the llama.cpp vocab test strings under cl100k_base and o200k_base.
// Run from the repository root with tiktoken installed outside the repo:
//   mkdir -p /tmp/tt && (cd /tmp/tt && npm install tiktoken) && NODE_PATH=/tmp/tt/node_modules node tests/oracles/tiktoken_gpt2.mjs
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? "/tmp/tt/node_modules", "x.js"));
const { get_encoding } = require("tiktoken");

const shared = path.resolve("../shared/data");
const files = ["tinystories_sample.txt", "address.txt", "german.txt", "corpus.en"];
const gpt2 = get_encoding("gpt2");
const out = { gpt2: {}, cl100k_base: [], o200k_base: [] };
for (const f of files) {
  const text = fs.readFileSync(path.join(shared, "bpe-reference", f), "utf8");
  out.gpt2[f] = Array.from(gpt2.encode_ordinary(text));
}
const inp = fs.readFileSync(path.join(shared, "tokenizers/gguf-vocab/ggml-vocab-gpt-2.gguf.inp"), "utf8");
const strings = inp.split("\n__ggml_vocab_test__\n").slice(0, -1);
strings.push("The quick brown fox jumps over the lazy dog.\r\n\r\n  def f(x):\n\treturn x**2  # 12345678");
for (const name of ["cl100k_base", "o200k_base"]) {
  const enc = get_encoding(name);
  for (const s of strings) out[name].push({ text: s, ids: Array.from(enc.encode_ordinary(s)) });
  enc.free();
}
gpt2.free();
const dest = "tests/SharpLM.Text.Tests/Fixtures/gpt2-tiktoken.json";
fs.writeFileSync(dest, JSON.stringify(out));
console.log(`wrote ${dest}: ${files.length} gpt2 texts, ${strings.length} strings for cl100k_base and o200k_base`);
