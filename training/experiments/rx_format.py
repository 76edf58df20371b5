#!/usr/bin/python3
"""Does the data format decide whether rx learns binding?  rx phase a from scratch (lr 2e-3, lm weight 0.2,
batch 32, seed 11: the recipe and data order of build.py), with one change to the training data:
  shuffled  the clauses of every training sentence in random order ("X likes L, lives in C."), so no attribute
            sits at a fixed distance from the name; val keeps the standard order;
  reworded  the job question "What job does X have?" (shares no token with "works as J") in training and val.
Compare at equal steps with the rx-a curve of the run that made the committed models
(training/runs/2026-11-25-rebuild/build.log: 50.0% at 1,000 steps, 57.7% at 3,000).
usage: training/experiments/rx_format.py shuffled|reworded STEPS"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import build as B  # noqa: E402
import job_question  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def main():
    variant, steps = sys.argv[1], int(sys.argv[2])
    w = W.World()
    if variant == "shuffled":
        passage = W.World.passage

        def shuffled_passage(self, rng, split, ks=(2, 3)):
            ps, facts, shown = passage(self, rng, split, ks)
            for s in shown:
                rng.shuffle(s)
            return ps, facts, shown
        W.World.passage = shuffled_passage
        val = B.evalset("context-val", "plain")
    elif variant == "reworded":
        W.QUESTION["job"] = job_question.REWORDED
        val = job_question.val_rows(w)
    else:
        sys.exit("variant: shuffled | reworded")

    class Args:
        retrain = True
    toks = B.load_toks()
    m = B.train_lm(Args, w, "exp-rx-format-" + variant, nets.RX_CONFIG, toks[0],
                   lambda rng: [B.rx_sampler(w, rng) for _ in range(32)], val, steps, 2e-3, target=0.995, seed=11)
    print("per attribute (best on val):", job_question.per_attribute(m, toks[0], val), flush=True)


if __name__ == "__main__":
    main()
