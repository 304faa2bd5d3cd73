#!/usr/bin/env bash
# run-gemm.sh: installs the OpenBLAS peer's Debian packages if missing, then runs the SGEMM benchmark
# (our kernel vs numpy/OpenBLAS, 1 and 2 threads). Extra arguments are passed to `sharplm-bench gemm`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import numpy' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy libopenblas0-pthread
fi
exec dotnet run -c Release --project bench/SharpLM.Bench -- gemm "$@"
