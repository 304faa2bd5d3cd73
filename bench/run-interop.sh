#!/usr/bin/env bash
# run-interop.sh: installs llama.cpp's npm bindings (prebuilt CPU binaries) into bench/interop and checks that
# a GGUF written by SharpLM loads in llama.cpp with the same greedy tokens (F32, F16; Q8_0 reported).
set -euo pipefail
cd "$(dirname "$0")/.."
( cd bench/interop && [ -d node_modules/node-llama-cpp ] || npm install --no-audit --no-fund )
exec dotnet run -c Release --project bench/SharpLM.Bench -- llamacpp-interop "$@"
