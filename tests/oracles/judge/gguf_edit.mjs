// gguf_edit.mjs: reads and writes the metadata of vocab-only GGUF files (no tensors), so the judge scripts can
// derive variants of the shared vocabularies (tokenizer.ggml.pre set or removed, byte tokens renamed away, token
// types changed) that llama.cpp then tokenizes. The C# tests apply the same edits to the metadata in memory.
import fs from "node:fs";

const T = { U8: 0, I8: 1, U16: 2, I16: 3, U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9, U64: 10, I64: 11, F64: 12 };
const SIZE = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export function readGguf(path) {
  const b = fs.readFileSync(path);
  let o = 0;
  const u32 = () => { const v = b.readUInt32LE(o); o += 4; return v; };
  const u64 = () => { const v = Number(b.readBigUInt64LE(o)); o += 8; return v; };
  const str = () => { const n = u64(); const s = b.toString("utf8", o, o + n); o += n; return s; };
  if (b.toString("latin1", 0, 4) !== "GGUF") throw new Error(`${path}: not GGUF`);
  o = 4; const version = u32(); const nt = u64(); const nkv = u64();
  if (nt !== 0) throw new Error(`${path}: has ${nt} tensors; only vocab-only files are supported`);
  const scalar = (t) => {
    if (t === T.STRING) return str();
    const sz = SIZE[t]; const at = o; o += sz;
    switch (t) {
      case T.U8: return b.readUInt8(at); case T.I8: return b.readInt8(at); case T.U16: return b.readUInt16LE(at);
      case T.I16: return b.readInt16LE(at); case T.U32: return b.readUInt32LE(at); case T.I32: return b.readInt32LE(at);
      case T.F32: return b.readFloatLE(at); case T.BOOL: return b.readUInt8(at) !== 0; case T.U64: return b.readBigUInt64LE(at);
      case T.I64: return b.readBigInt64LE(at); case T.F64: return b.readDoubleLE(at);
    }
    throw new Error(`type ${t}`);
  };
  const kv = [];
  for (let i = 0; i < nkv; i++) {
    const key = str(); const t = u32();
    if (t === T.ARRAY) { const et = u32(); const n = u64(); const items = new Array(n); for (let k = 0; k < n; k++) items[k] = scalar(et); kv.push({ key, type: t, et, value: items }); }
    else kv.push({ key, type: t, value: scalar(t) });
  }
  return { version, kv };
}

export function writeGguf(path, g) {
  const parts = [];
  const u32 = (v) => { const x = Buffer.alloc(4); x.writeUInt32LE(v); parts.push(x); };
  const u64 = (v) => { const x = Buffer.alloc(8); x.writeBigUInt64LE(BigInt(v)); parts.push(x); };
  const str = (s) => { const x = Buffer.from(s, "utf8"); u64(x.length); parts.push(x); };
  const scalar = (t, v) => {
    if (t === T.STRING) return str(v);
    const x = Buffer.alloc(SIZE[t]);
    switch (t) {
      case T.U8: x.writeUInt8(v); break; case T.I8: x.writeInt8(v); break; case T.U16: x.writeUInt16LE(v); break;
      case T.I16: x.writeInt16LE(v); break; case T.U32: x.writeUInt32LE(v); break; case T.I32: x.writeInt32LE(v); break;
      case T.F32: x.writeFloatLE(v); break; case T.BOOL: x.writeUInt8(v ? 1 : 0); break; case T.U64: x.writeBigUInt64LE(BigInt(v)); break;
      case T.I64: x.writeBigInt64LE(BigInt(v)); break; case T.F64: x.writeDoubleLE(v); break;
    }
    parts.push(x);
  };
  parts.push(Buffer.from("GGUF", "latin1")); u32(g.version); u64(0); u64(g.kv.length);
  for (const e of g.kv) {
    str(e.key); u32(e.type);
    if (e.type === T.ARRAY) { u32(e.et); u64(e.value.length); for (const v of e.value) scalar(e.et, v); }
    else scalar(e.type, e.value);
  }
  let buf = Buffer.concat(parts);
  const pad = (32 - (buf.length % 32)) % 32;
  fs.writeFileSync(path, Buffer.concat([buf, Buffer.alloc(pad)]));
}

/// Applies a variant's edits: { pre: string | null (remove), renameTokens: {id: text}, tokenTypes: {id: type} }.
export function applyEdits(g, edits) {
  const get = (k) => g.kv.find((e) => e.key === k);
  if ("pre" in edits) {
    g.kv = g.kv.filter((e) => e.key !== "tokenizer.ggml.pre");
    if (edits.pre !== null) g.kv.push({ key: "tokenizer.ggml.pre", type: T.STRING, value: edits.pre });
  }
  for (const [id, text] of Object.entries(edits.renameTokens ?? {})) get("tokenizer.ggml.tokens").value[+id] = text;
  for (const [id, type] of Object.entries(edits.tokenTypes ?? {})) get("tokenizer.ggml.token_type").value[+id] = type;
  return g;
}
