#!/usr/bin/python3
"""Is rx's job failure a question-wording shortcut?  The committed rx binds city (100%) and likes (99%) to the
asked person, but on job questions it picks uniformly among the jobs shown in the passage.  The job question
"What does X work as?" ends in the token " as", which also precedes every job in the passage ("works as J"), so
"copy what follows ' as'" answers correctly whenever one job is shown, without reading the name.
This continues the committed rx (phase-b settings: lr 1e-3, lm weight 0.05, batch 32) for STEPS steps, either with
the original wording (control) or with a job question that shares no token with the clause ("What job does X
have?"), and reports val accuracy per attribute.
usage: training/experiments/job_question.py original|reworded STEPS INIT_CHECKPOINT"""
import collections
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402

REWORDED = "What job does {n} have?"


def val_rows(w):
    rows = []
    for r in B.evalset("context-val", "plain"):
        psg = r["prompt"][len("Context: "):].split(" Question: ")[0]
        q = W.QUESTION[r["attribute"]].format(n=r["person"])
        rows.append(dict(r, question=q, prompt=w.ctx_prompt(psg, q)))
    return rows


def per_attribute(m, tok, rows):
    preds = C.greedy(m, tok, [r["prompt"] for r in rows])
    acc = collections.defaultdict(lambda: [0, 0])
    for r, p in zip(rows, preds):
        acc[r["attribute"]][0] += p.strip() == r["answer"]
        acc[r["attribute"]][1] += 1
    return {a: f"{k}/{n} = {k / n:.3f}" for a, (k, n) in sorted(acc.items())}


def main():
    wording, steps, init = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if wording == "reworded":
        W.QUESTION["job"] = REWORDED
    elif wording != "original":
        sys.exit("wording: original | reworded")
    w = W.World()
    toks = B.load_toks()
    rows = val_rows(w)
    m = nets.make("llama", nets.RX_CONFIG)
    m.load_state_dict(torch.load(init, map_location="cpu")["model"])
    print("before:", per_attribute(m, toks[0], rows), flush=True)

    class Args:
        retrain = True
    m = B.train_lm(Args, w, "exp-rx-job-" + wording, nets.RX_CONFIG, toks[0],
                   lambda rng: [B.rx_sampler(w, rng) for _ in range(32)], rows, steps, 1e-3, init=m, seed=12,
                   lm_weight=0.05)
    print("after (best on val):", per_attribute(m, toks[0], rows), flush=True)


if __name__ == "__main__":
    main()
