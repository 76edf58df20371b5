#!/usr/bin/python3
"""Has an rx checkpoint learned the about question (rx_about.py)?  300 val-split passages of 2-3 people (seed 77),
"What do we know about <name>?" for a random person of the passage; exact match of the whole answer, and whether
the first clause's value is the asked person's (found the name) or another person's (copied the wrong sentence).
usage: training/experiments/about_eval.py CKPT [N]"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import torch  # noqa: E402
import world as W  # noqa: E402


def main():
    ck, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300
    w = W.World()
    rng = random.Random(77)
    rows = []
    for _ in range(n):
        ps, facts, shown = w.passage(rng, "val", (2, 3))
        psg = " ".join(w.sentence(p, shown[j], facts[j]) for j, p in enumerate(ps))
        i = rng.randrange(len(ps))
        rows.append((w.ctx_prompt(psg, W.ABOUT_QUESTION.format(n=ps[i])),
                     w.sentence(ps[i], shown[i], facts[i])[len(ps[i]) + 1:],
                     [w.sentence(p, shown[j], facts[j])[len(p) + 1:] for j, p in enumerate(ps) if j != i]))
    m = nets.make("llama", nets.RX_CONFIG)
    m.load_state_dict(torch.load(ck, map_location="cpu")["model"])
    outs = C.greedy(m.to(C.DEV), B.load_toks()[0], [r[0] for r in rows], max_new=32)
    exact = sum(o.strip() == r[1] for o, r in zip(outs, rows))
    first = lambda s: s.split(",")[0].rstrip(".")  # noqa: E731
    own = sum(first(o.strip()) == first(r[1]) for o, r in zip(outs, rows))
    other = sum(any(first(o.strip()) == first(x) for x in r[2]) for o, r in zip(outs, rows))
    res = {"checkpoint": ck, "n": n, "exact": exact / n, "first_clause_own": own / n, "first_clause_other": other / n,
           "examples": [{"prompt": r[0], "answer": r[1], "output": o} for o, r in list(zip(outs, rows))[:5]]}
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
