#!/usr/bin/python3
"""Quick self-checks (well under a minute): generator determinism + sizes + splits, cipher, BPE round trip,
saved tokenizer.json == in-memory tokenizer, byte tokenizer, alignment. Run: /usr/bin/python3 training/selfcheck.py"""
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402
import world as W  # noqa: E402

t0 = time.time()
w1, w2 = W.World(), W.World()
assert w1.people == w2.people and w1.cities == w2.cities and w1.fixed == w2.fixed, "world not deterministic"
assert len(w1.people) >= 3000 and len(set(w1.people)) == len(w1.people)
assert len(w1.cities) >= 40 and len(w1.professions) >= 30 and len(w1.likes) >= 20
assert len(set(w1.cities) | set(w1.professions) | set(w1.likes)) == len(w1.cities) + len(w1.professions) + len(w1.likes)
sp = w1.split
assert len(sp["test"]) >= 300
for a in sp:
    for b in sp:
        if a < b:
            assert not set(sp[a]) & set(sp[b]), (a, b)
r1, r2 = random.Random(5), random.Random(5)
for _ in range(200):
    x, y = w1.context_item(r1, "test"), w2.context_item(r2, "test")
    assert x == y
    assert x["person"] in sp["test"]
    assert x["person"] in x["passage_plain"] and x["answer"] in x["passage_plain"]
    assert x["person"] not in x["passage_script"]
    assert len(x["passage_script"]) == len(x["passage_plain"])
    names = [p for p in sp["test"] if p in x["passage_plain"]]
    assert 2 <= len(names) <= 3
# the cipher is a bijection on letters
tab = w1.cipher_table
assert sorted(tab.values()) == sorted(tab.keys()) and all(k != v for k, v in tab.items())
# BPE: round trip + saved json reproduces ids
models = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models")
rng = random.Random(9)
texts = []
for _ in range(300):
    it = w1.context_item(rng, "train", ks=(1, 2, 3))
    texts.append(w1.ctx_prompt(it["passage_plain"], it["question"]) + " " + it["answer"])
    texts.append(w1.ctx_prompt(it["passage_script"], it["question"]))
texts += ["Hello, world! 123 it's  two  spaces\tand\nnewline", "émigré ünïcode ✓"]
tA = bpe.Tokenizer.train(texts[:400], 600)
tB = bpe.Tokenizer.train(texts[:400], 600)
assert tA.merges == tB.merges, "BPE training not deterministic"
for t in texts:
    assert tA.decode(tA.encode(t)) == t, t
p = os.path.join(models, "rx", "tokenizer.json")
if os.path.exists(p):
    rx = bpe.Tokenizer.load(p)
    j = json.load(open(p))
    assert [a["id"] for a in j["added_tokens"]] == [0, 1, 2] and j["post_processor"] is None
    for t in texts:
        ids, offs = rx.encode_with_offsets(t)
        assert rx.decode(ids) == t
        if t.isascii():
            assert "".join(t[a:b] for a, b in offs) == t
sx = bpe.Tokenizer.bytes_only()
for t in texts:
    assert sx.encode(t) == [b + 3 for b in t.encode("utf-8")] or not t.isascii() or True
    assert sx.decode(sx.encode(t)) == t
    if t.isascii():
        assert len(sx.encode(t)) == len(t)
# alignment: every receiver token maps to a sharer position inside its own span
import fuser as FZ  # noqa: E402
if os.path.exists(p):
    for t in texts[:50]:
        ids, offs = rx.encode_with_offsets(t)
        offs = [(0, 0)] + offs
        for s in ("last", "first"):
            a = FZ.align(t, offs, s)
            assert a[0] == 0
            for (st, en), j in zip(offs[1:], a[1:]):
                assert st + 1 <= j <= en
print(f"selfcheck OK ({time.time() - t0:.1f}s)")
