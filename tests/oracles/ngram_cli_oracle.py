#!/usr/bin/python3
"""NLTK fixture for the `sharplm ngram train | ppl` end-to-end test (NGramCliTests in SharpLM.Data.Tests).

Trains nltk.lm.KneserNeyInterpolated (NLTK 3.8, Debian python3-nltk) with NLTK's default discount 0.1 on lines
3001-5000 of ../shared/data/corpora/tinyshakespeare.txt (0-based [3000, 5000), read in place; a slice the other
n-gram fixtures never use), via padded_everygram_pipeline, for orders 2, 3 and 5. Scores the first 60 later
lines (from 0-based line 5000 on) that have at least 2 words, all in the training vocabulary: every order-n
n-gram of each pad_both_ends sentence (order-1 '<s>' and order-1 '</s>'), pooled into one corpus perplexity,
model.perplexity(all n-grams). Only line numbers and numbers are written (Fixtures/ngram/nltk_cli_ppl.json).

Usage: /usr/bin/python3 tests/oracles/ngram_cli_oracle.py   (from the repository root; a few seconds)
"""
import json
import os
import sys

from nltk.lm import KneserNeyInterpolated
from nltk.lm.preprocessing import pad_both_ends, padded_everygram_pipeline
from nltk.util import ngrams

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "..", "shared", "data", "corpora", "tinyshakespeare.txt")
OUT = os.path.join(ROOT, "tests", "SharpLM.Data.Tests", "Fixtures", "ngram", "nltk_cli_ppl.json")
TRAIN = (3000, 5000)
TEST_SENTENCES = 60
DISCOUNT = 0.1  # NLTK's default


def main():
    with open(CORPUS, encoding="utf-8") as f:
        lines = f.read().split("\n")
    train = [l.split() for l in lines[TRAIN[0]:TRAIN[1]] if l.strip()]
    vocab = {w for s in train for w in s}
    test_idx = [i for i in range(TRAIN[1], len(lines))
                if len(lines[i].split()) >= 2 and all(w in vocab for w in lines[i].split())][:TEST_SENTENCES]
    test = [lines[i].split() for i in test_idx]
    results = []
    for order in (2, 3, 5):
        train_data, padded_vocab = padded_everygram_pipeline(order, train)
        lm = KneserNeyInterpolated(order, discount=DISCOUNT)
        lm.fit(train_data, padded_vocab)
        grams = [g for s in test for g in ngrams(pad_both_ends(s, n=order), order)]
        ppl = lm.perplexity(grams)
        results.append({"order": order, "perplexity": ppl, "predictions": len(grams)})
        print(f"order {order}: NLTK perplexity {ppl:.6f} over {len(grams)} n-grams", flush=True)
    with open(OUT, "w") as f:
        json.dump({"tool": "nltk 3.8 KneserNeyInterpolated", "corpus": "corpora/tinyshakespeare.txt",
                   "train_lines": list(TRAIN), "test_lines": test_idx, "test_words": sum(len(s) for s in test),
                   "discount": DISCOUNT, "orders": results}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
