#!/usr/bin/python3
"""K-quant blocks produced by ggml itself, for SharpLM.Models.Tests (GgmlQuantTests).

Loads llama.cpp's ggml (libggml-base.so of the node-llama-cpp prebuilt that bench/interop installs) through
ctypes and, for Q4_K, Q5_K and Q6_K, quantises seeded random rows with ggml_quantize_chunk and dequantises
them with the type's to_float. Writes tests/SharpLM.Models.Tests/Fixtures/formats/ggml_kquant_blocks.json:
  {type: {"values": n, "blocks": hex bytes of the quantised rows, "y": float32 bytes (hex) of ggml's dequantisation}}
Run from the repository root (after `npm install` in bench/interop):
    /usr/bin/python3 tests/oracles/ggml_kquant_fixtures.py [path/to/libggml-base.so]
"""
import ctypes
import glob
import json
import os
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "tests", "SharpLM.Models.Tests", "Fixtures", "formats", "ggml_kquant_blocks.json")
TYPES = {"Q4_K": 12, "Q5_K": 13, "Q6_K": 14}  # enum ggml_type


class TypeTraits(ctypes.Structure):  # struct ggml_type_traits (ggml.h)
    _fields_ = [("type_name", ctypes.c_char_p), ("blck_size", ctypes.c_int64), ("blck_size_interleave", ctypes.c_int64),
                ("type_size", ctypes.c_size_t), ("is_quantized", ctypes.c_bool),
                ("to_float", ctypes.c_void_p), ("from_float_ref", ctypes.c_void_p)]


def main():
    lib_path = sys.argv[1] if len(sys.argv) > 1 else glob.glob(os.path.join(
        REPO, "bench", "interop", "node_modules", "@node-llama-cpp", "linux-x64", "bins", "*", "libggml-base.so"))[0]
    ggml = ctypes.CDLL(lib_path)
    ggml.ggml_quantize_chunk.restype = ctypes.c_size_t
    ggml.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]
    ggml.ggml_get_type_traits.restype = ctypes.POINTER(TypeTraits)
    ggml.ggml_get_type_traits.argtypes = [ctypes.c_int]
    to_float_t = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)

    rng = np.random.default_rng(20261123)
    rows, n = 4, 512  # 2 super-blocks of 256 per row
    x = rng.standard_normal((rows, n)).astype(np.float32)
    x[1] *= 0.01                       # a small-magnitude row
    x[2] = np.abs(x[2])                # all positive (the min is 0 or above)
    x[3, ::7] *= 20                    # outliers
    out = {}
    for name, t in TYPES.items():
        tr = ggml.ggml_get_type_traits(t).contents
        assert tr.blck_size == 256, (name, tr.blck_size)
        size = rows * n // 256 * tr.type_size
        dst = (ctypes.c_uint8 * size)()
        written = ggml.ggml_quantize_chunk(t, x.ctypes.data, ctypes.addressof(dst), 0, rows, n, None)
        assert written == size, (name, written, size)
        y = np.zeros(rows * n, dtype=np.float32)
        to_float_t(tr.to_float)(ctypes.addressof(dst), y.ctypes.data, rows * n)
        out[name] = {"type_name": tr.type_name.decode(), "type_size": tr.type_size, "values": rows * n,
                     "x": x.tobytes().hex(), "blocks": bytes(dst).hex(), "y": y.tobytes().hex()}
        print(f"{name}: {size} bytes, max |x - y| = {np.abs(x.reshape(-1) - y).max():.4f}")
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
