#!/usr/bin/python3
"""Does rx bind an attribute it has not yet bound when that attribute is asked more often?  rx learns binding one
attribute at a time: the session-10 rebuild's rx (seed 21, phase b, val plain 86.3%) binds city and job on every val
question and "likes" at chance (62/103, every error another person's food; experiments/error_analysis.py). This
continues such a checkpoint with phase b's settings (lr 1e-3, lm weight 0.05, batch 32, reverse share 1/3) but with
probability SHARE the questions about ATTR are moved to the front of each passage's question list (up to 3 questions
are asked), so that ATTR is asked about more often.
usage: training/experiments/rx_attr_mix.py CHECKPOINT STEPS [ATTR] [SHARE]"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def qa_attr_first(w, rng, attr, share, p_rev=1 / 3):
    """build.multi_qa (plain), with ATTR's questions first with probability `share`."""
    ps, facts, shown = w.passage(rng, "train", (1, 2, 3))
    psg = " ".join(w.sentence(p, shown[j], facts[j]) for j, p in enumerate(ps))
    cands = [(i, a) for i in range(len(ps)) for a in shown[i]]
    rng.shuffle(cands)
    if rng.random() < share:
        cands.sort(key=lambda c: c[1] != attr)  # stable: keeps the shuffled order within each group
    segs = []
    for n, (i, a) in enumerate(cands[:3]):
        if rng.random() < p_rev:
            q, ans = W.REVERSE_QUESTION[a].format(v=facts[i][a]), ps[i]
        else:
            q, ans = W.QUESTION[a].format(n=ps[i]), facts[i][a]
        segs.append((w.ctx_prompt(psg, q) if n == 0 else " Question: " + q + " Answer:", " " + ans))
    return segs


def main():
    ck, steps = sys.argv[1], int(sys.argv[2])
    attr = sys.argv[3] if len(sys.argv) > 3 else "likes"
    share = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
    w = W.World()

    class Args:
        retrain = True
    toks = B.load_toks()
    val = B.evalset("context-val", "plain")
    init = nets.make("llama", nets.RX_CONFIG)
    init.load_state_dict(torch.load(ck, map_location="cpu")["model"])
    fn = lambda rng: [qa_attr_first(w, rng, attr, share) for _ in range(32)]  # noqa: E731
    B.train_lm(Args, w, f"exp-rx-{attr}-first-{share}", nets.RX_CONFIG, toks[0], fn, val, steps, 1e-3, init=init,
               target=0.995, seed=31, lm_weight=0.05)


if __name__ == "__main__":
    main()
