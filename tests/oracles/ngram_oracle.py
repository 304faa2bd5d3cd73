#!/usr/bin/python3
"""n-gram LM oracle for SharpLM.Data (tests/SharpLM.Data.Tests/Fixtures/ngram/).

Reads the first 2000 lines of ../shared/data/corpora/tinyshakespeare.txt in place (nothing from shared/ is
committed; only the numbers below are). Sentences are the non-empty lines split on whitespace.

NLTK 3.8 (Debian python3-nltk) KneserNeyInterpolated: interpolated Kneser-Ney with ONE discount d for every
order, NLTK's own padding (order-1 '<s>' and order-1 '</s>' on each side, counted as everygrams), the unigram
level is the continuation distribution N1+(. w)/N1+(. .) with no uniform floor, and the lower-order gamma is
d * N1+(ctx .) / N1+(. ctx .). Scores are written as log2, the way nltk.lm reports them.

Usage: /usr/bin/python3 tests/oracles/ngram_oracle.py   (from the repository root; about a minute)
"""
import json
import math
import os
import sys

from nltk.lm import KneserNeyInterpolated
from nltk.lm.preprocessing import pad_both_ends, padded_everygram_pipeline
from nltk.util import ngrams

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "..", "shared", "data", "corpora", "tinyshakespeare.txt")
OUT = os.path.join(ROOT, "tests", "SharpLM.Data.Tests", "Fixtures", "ngram")
TRAIN_LINES = 2000


def main():
    with open(CORPUS, encoding="utf-8") as f:
        lines = f.read().split("\n")
    train = [l.split() for l in lines[:TRAIN_LINES] if l.strip()]
    vocab = {w for s in train for w in s}
    # test: 20 training lines (seen n-grams) + the first 40 held-out lines whose words are all in the vocabulary
    picked = [i for i in range(TRAIN_LINES) if lines[i].strip()][:20]
    held = [i for i in range(TRAIN_LINES, len(lines)) if lines[i].strip() and len(lines[i].split()) >= 2
            and all(w in vocab for w in lines[i].split())][:40]
    test_idx = picked + held
    os.makedirs(OUT, exist_ok=True)
    for order, d in [(2, 0.1), (3, 0.1), (5, 0.75)]:
        train_data, padded_vocab = padded_everygram_pipeline(order, train)
        lm = KneserNeyInterpolated(order, discount=d)
        lm.fit(train_data, padded_vocab)
        sents, all_scores = [], []
        for i in test_idx:
            grams = list(ngrams(pad_both_ends(lines[i].split(), n=order), order))
            scores = [lm.logscore(g[-1], g[:-1]) for g in grams]
            all_scores += scores
            sents.append({"line": i, "log2": scores, "perplexity": lm.perplexity(grams)})
        corpus_ppl = 2 ** (-sum(all_scores) / len(all_scores))
        name = f"nltk_kn_order{order}.json"
        with open(os.path.join(OUT, name), "w") as f:
            json.dump({"tool": "nltk 3.8 KneserNeyInterpolated", "corpus": "corpora/tinyshakespeare.txt",
                       "train_lines": TRAIN_LINES, "order": order, "discount": d, "sentences": sents,
                       "corpus_perplexity": corpus_ppl}, f, indent=1)
        print(f"{name}: order {order} d {d} corpus ppl {corpus_ppl:.6f} over {len(all_scores)} n-grams", flush=True)


if __name__ == "__main__":
    sys.exit(main())
