#!/usr/bin/python3
"""Where a context-task model goes wrong, on the val split: accuracy per asked attribute and per clause position,
what each wrong answer is (another person's value / a value not in the passage / no value at all), and, for
questions whose attribute is shown for several people, which person's value was answered.
usage: training/experiments/error_analysis.py rx|sx CHECKPOINT plain|script   (prints JSON)"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import stages2  # noqa: E402
import world as W  # noqa: E402

VERB = {"city": "lives in", "job": "works as", "likes": "likes"}


def main():
    which, ck, form = sys.argv[1], sys.argv[2], sys.argv[3]
    w = W.World()
    toks = B.load_toks()
    cfg, tok = (nets.RX_CONFIG, toks[0]) if which == "rx" else (nets.SX_CONFIG, toks[1])
    m = nets.make(cfg["type"], cfg)
    m.load_state_dict(torch.load(ck, map_location="cpu")["model"])
    rows = B.evalset("context-val", form)
    preds = [p.strip() for p in C.greedy(m, tok, [r["prompt"] for r in rows])]
    decipher = str.maketrans({v: k for k, v in w.cipher_table.items()})
    acc = collections.defaultdict(lambda: [0, 0])
    kinds = collections.Counter()
    choice = collections.Counter()
    for r, p in zip(rows, preds):
        ok = p == r["answer"]
        psg = r["prompt"][len("Context: "):].split(" Question: ")[0]
        plain = psg if form == "plain" else psg.translate(decipher)
        sents = [s for s in plain.split(". ") if s]
        own = next(s for s in sents if s.startswith(r["person"] + " "))
        first = own[len(r["person"]) + 1:].startswith(VERB[r["attribute"]])
        for key in (r["attribute"], f"{r['attribute']} ({'first' if first else 'later'} clause)"):
            acc[key][0] += ok
            acc[key][1] += 1
        shown = re.findall(VERB[r["attribute"]] + r" (\w+)", plain)
        if len(shown) >= 2:
            got = shown.index(p) + 1 if p in shown else 0
            choice[f"{r['attribute']}: {len(shown)} shown, asked #{shown.index(r['answer']) + 1}, answered "
                   + (f"#{got}" if got else "none of them")] += 1
        if not ok:
            kind = next((a for a in W.ATTRS if p in w.values[a]), None)
            where = ("own sentence" if stages2.in_passage(w, p, own, "plain") else "another person"
                     if stages2.in_passage(w, p, plain, "plain")
                     else "not in passage") if kind else "not a value"
            kinds[f"{kind or '-'} value, {where}"] += 1
    print(json.dumps({"model": which, "checkpoint": os.path.basename(ck), "form": form, "n": len(rows),
                      "accuracy": sum(p == r["answer"] for p, r in zip(preds, rows)) / len(rows),
                      "by_attribute": {k: f"{a}/{n}" for k, (a, n) in sorted(acc.items())},
                      "wrong_answers": dict(kinds.most_common()),
                      "answered_person_when_several_shown": dict(sorted(choice.items()))}, indent=1))


if __name__ == "__main__":
    main()
