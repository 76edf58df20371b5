#!/usr/bin/python3
"""The sharer with the auxiliary reverse questions of rx_aux.py: sx from scratch with build.py's recipe (task mix,
lr 2e-3, batch 16, lm weight 0.05, seed 22), where a third of the context-task questions (script and plain
passages) are asked the other way round ("Who lives in Zoutha?" -> "Turn Deidrir"; question and answer plain, so on
script passages both need deciphering). Val: build.py's val script passages (forward questions, unchanged).
Compare with the sx curve of the run that made the committed models (models/MANIFEST.json: 2.7% at 1,000 steps,
42.0% at 2,000, 49.0% at 3,000, best 49.7%).
usage: training/experiments/sx_aux.py STEPS"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import build as B  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def main():
    steps = int(sys.argv[1])
    w = W.World()

    class Args:
        retrain = True
    toks = B.load_toks()
    val = B.evalset("context-val", "script")
    B.train_lm(Args, w, "exp-sx-aux-reverse", nets.SX_CONFIG, toks[1],
               lambda rng: B.sx_task_batch(w, rng, 16, p_rev=1 / 3), val, steps, 2e-3, seed=22, lm_weight=0.05)


if __name__ == "__main__":
    main()
