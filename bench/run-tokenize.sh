#!/usr/bin/env bash
# run-tokenize.sh: installs the npm peers (HF tokenizers, tiktoken) into bench/.npm (git-ignored), builds the
# benchmark in Release and runs `sharplm-bench tokenize`, which measures SharpLM and Microsoft.ML.Tokenizers
# in-process, runs bench/peers/tokenize_peers.mjs for the npm peers, and prints MB/s and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d bench/.npm/node_modules/tokenizers ] || [ ! -d bench/.npm/node_modules/tiktoken ]; then
  mkdir -p bench/.npm
  [ -f bench/.npm/package.json ] || echo '{"name":"sharplm-bench-peers","private":true}' > bench/.npm/package.json
  (cd bench/.npm && npm install --no-audit --no-fund tokenizers tiktoken)
fi
dotnet run -c Release --project bench/SharpLM.Bench -- tokenize "$@"
