#!/usr/bin/env bash
# run-bpe-train.sh: BPE training time, SharpLM vs the Hugging Face tokenizers trainer (npm "tokenizers", Rust),
# both measured here in the same run. Installs the npm package into bench/peers/bpe-train-peer (git-ignored).
# Usage: bench/run-bpe-train.sh [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS="${1:-3}"
DATA="$(cd .. && pwd)/shared/data"
for f in bpe-reference/corpus.en corpora/tinyshakespeare.txt corpora/tang-poems.txt; do
  [[ -f "$DATA/$f" ]] || { echo "missing $DATA/$f" >&2; exit 1; }
done
PEER_DIR=bench/peers/bpe-train-peer
if [[ ! -d "$PEER_DIR/node_modules/tokenizers" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$PEER_DIR" tokenizers@0.23.2 >&2
fi
OUT="$(mktemp -d)"
node bench/peers/bpe_train_peer.mjs "$OUT/peer.json" "$REPEATS" \
  "en=$DATA/bpe-reference/corpus.en" \
  "mixed=$DATA/corpora/tinyshakespeare.txt,$DATA/corpora/tang-poems.txt" 2> >(grep -v '^\[' >&2)
dotnet build -c Release bench/SharpLM.Bench >&2
dotnet bench/SharpLM.Bench/bin/Release/net10.0/SharpLM.Bench.dll bpe-train --data "$DATA" --repeats "$REPEATS" --peer "$OUT/peer.json"
