// hf_unigram.mjs: writes tests/SharpLM.Text.Tests/Fixtures/unigram-tiny/expected.json, the ids HF tokenizers
// (npm `tokenizers`) gives with the hand-written unigram tokenizer.json beside it (Viterbi ties, unknown
// characters, "▁" splitting). Run from the repository root after bench/run-tokenize.sh installed the npm peers:
//   node tests/oracles/hf_unigram.mjs
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(path.resolve("bench/.npm/node_modules/x.js"));
const { Tokenizer } = require("tokenizers");
const dir = "tests/SharpLM.Text.Tests/Fixtures/unigram-tiny";
const tok = Tokenizer.fromFile(path.join(dir, "tokenizer.json"));
const strings = ["hello world", "the world", "Hello World", "unsing thesing", "  a  the ", "wörld hello!", "xyz", "singing in the rain", ""];
const cases = [];
for (const s of strings) cases.push({ text: s, ids: (await tok.encode(s, null, { addSpecialTokens: false })).getIds() });
fs.writeFileSync(path.join(dir, "expected.json"), JSON.stringify(cases, null, 1));
console.log(`wrote ${cases.length} cases`);
