#!/usr/bin/python3
# gemm_openblas.py: peer benchmark for sharplm-bench gemm. Times numpy.matmul (Debian's python3-numpy,
# which calls OpenBLAS through libopenblas0-pthread) on the shapes given as JSON on stdin:
#   [{"name": ..., "ta": bool, "tb": bool, "m": M, "n": N, "k": K}, ...]
# Thread count comes from OPENBLAS_NUM_THREADS (set by the caller). Transposes are numpy views, so
# OpenBLAS receives them as sgemm trans flags (no copies). Prints one JSON object per shape on stdout
# ({"name", "gflops", "ms"}); which BLAS library is loaded goes to stderr.
import json
import os
import statistics
import sys
import time

import numpy as np


def loaded_blas():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            if "blas" in line or "lapack" in line:
                libs.add(os.path.realpath(line.split()[-1]))
    return sorted(libs)


def bench(fn, flops, min_time=0.4, min_reps=5, max_reps=60):
    fn(); fn()  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or (time.perf_counter() - start < min_time and len(times) < max_reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return flops / med / 1e9, med * 1e3


def main():
    shapes = json.load(sys.stdin)
    rng = np.random.default_rng(1)
    print(f"[peer] numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}", file=sys.stderr)
    try:
        cfg = np.show_config(mode="dicts")
        print(f"[peer] numpy blas config: {cfg.get('Build Dependencies', {}).get('blas')}", file=sys.stderr)
    except TypeError:
        pass
    print(f"[peer] loaded BLAS libraries: {loaded_blas()}", file=sys.stderr)
    for s in shapes:
        m, n, k, ta, tb = s["m"], s["n"], s["k"], s["ta"], s["tb"]
        a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
        av = a.T if ta else a
        bv = b.T if tb else b
        c = np.empty((m, n), dtype=np.float32)
        gf, ms = bench(lambda: np.matmul(av, bv, out=c), 2.0 * m * n * k)
        print(json.dumps({"name": s["name"], "gflops": gf, "ms": ms}), flush=True)


if __name__ == "__main__":
    main()
