# tokenize_peers.py: the HF tokenizers peer through its Python binding (the native Rust library), for machines
# with Python but no Node (the GPU machine). Same chunks and JSON lines as tokenize_peers.mjs.
# Usage: python3 bench/peers/tokenize_peers.py <gpt2 tokenizer.json> <runs> <corpus>...
import json, os, sys, time

from tokenizers import Tokenizer

CHUNK = 64 * 1024


def chunks(text):
    # Same split as the C# bench: ~64 KB in UTF-16 code units, extended to the next newline.
    units = text.encode("utf-16-le")
    out, start, n = [], 0, len(units) // 2
    while start < n:
        end = min(n, start + CHUNK)
        if end < n:
            nl = units.find("\n".encode("utf-16-le"), end * 2)
            while nl >= 0 and nl % 2:
                nl = units.find("\n".encode("utf-16-le"), nl + 1)
            end = n if nl < 0 else nl // 2 + 1
        out.append(units[start * 2:end * 2].decode("utf-16-le"))
        start = end
    return out


def fnv(ids, h):
    for i in ids:
        h = ((h ^ i) * 16777619) & 0xFFFFFFFF
    return h


def best(fn, runs):
    fn()
    best_s, result = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        best_s = min(best_s, time.perf_counter() - t0)
    return best_s, result


def main():
    tok_json, runs, corpora = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    tok = Tokenizer.from_file(tok_json)
    threads = int(os.environ.get("RAYON_NUM_THREADS", "2"))
    for path in corpora:
        text = open(path, encoding="utf-8").read()
        nbytes = len(text.encode("utf-8"))
        parts = chunks(text)

        def one():
            return [tok.encode(p, add_special_tokens=False).ids for p in parts]

        def batch():
            return [e.ids for e in tok.encode_batch(parts, add_special_tokens=False)]

        for t, fn in ((1, one), (threads, batch)):
            secs, res = best(fn, runs)
            h, count = 2166136261, 0
            for ids in res:
                h = fnv(ids, h)
                count += len(ids)
            print(json.dumps({"peer": "hf-tokenizers-py", "encoding": "gpt2", "corpus": os.path.basename(path), "threads": t,
                              "bytes": nbytes, "ms": secs * 1e3, "mbps": nbytes / 1e6 / secs, "tokens": count, "hash": h}), flush=True)


if __name__ == "__main__":
    main()
