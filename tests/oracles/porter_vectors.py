#!/usr/bin/python3
"""Writes tests/SharpLM.Eval.Tests/Fixtures/porter_vectors.json: word -> NLTK PorterStemmer().stem(word)
(NLTK_EXTENSIONS mode, the stemmer rouge-score uses). Words: every lower-case alphabetic token of the
repository's Markdown files and of NLTK's own Python sources (English docstrings), plus the examples of
Porter's paper and NLTK's irregular forms. Run with Debian's python3-nltk: /usr/bin/python3 tests/oracles/porter_vectors.py
"""
import glob, json, os, re
import nltk
from nltk.stem.porter import PorterStemmer

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
words = set()
files = glob.glob(os.path.join(root, "**", "*.md"), recursive=True)
files += glob.glob(os.path.join(os.path.dirname(nltk.__file__), "**", "*.py"), recursive=True)
for f in files:
    with open(f, encoding="utf-8", errors="ignore") as fh:
        words.update(w for w in re.findall(r"[a-z]+", fh.read().lower()))
paper = """caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized hopping
tanned falling hissing fizzed failing filing happy sky relational conditional rational valenci hesitanci digitizer
conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism decisiveness
hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical
hopeful goodness revival allowance inference airliner gyroscopic adjustable defensible irritant replacement
adjustment dependent adoption homologou communism activate angulariti homologous effective bowdlerize probate
rate cease controll roll dying lying tying news innings outings cannings howe proceed exceed succeed skies
generously fully logically spied flies tried enjoy enjoyment ies dies lied spy fly try""".split()
words.update(paper)
words = sorted(w for w in words if 1 <= len(w) <= 20)
words = sorted(set(words[::3]) | set(paper))  # every third word keeps the file near 100 KB
stemmer = PorterStemmer()
out = {"source": f"nltk {nltk.__version__} nltk.stem.porter.PorterStemmer() (NLTK_EXTENSIONS)", "stems": {w: stemmer.stem(w) for w in words}}
path = os.path.join(root, "tests", "SharpLM.Eval.Tests", "Fixtures", "porter_vectors.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=0, sort_keys=True)
    fh.write("\n")
print(f"{len(words)} words -> {path}")
