#!/usr/bin/python3
"""Is the sharer's 51% a plateau or too few steps? sx is trained for 3,400 steps of batch 16 with seven tasks, so it
sees ~24k script context examples, against ~240k plain ones for rx (7,500 steps of 32). This continues the cached
sx (training/.cache/sx.pt, from `build.py --reverse-share 1/3`) like rx's phase b: lr 1e-3, lm weight 0.05, and
CTX of the batches are script context questions (1/3 reversed), the rest build.py's task mix. Val: build.py's val
script passages.
usage: training/experiments/sx_more.py STEPS [CTX] [SEED] [INIT]   (CTX default 0.6; SEED default 23, phase b's,
which replays phase b's draws; INIT default training/.cache/sx.pt). Checkpoint: exp-sx-more-CTX[-sSEED].pt"""
import os
import random
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def main():
    steps = int(sys.argv[1])
    ctx = float(sys.argv[2]) if len(sys.argv) > 2 else 0.6
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 23
    init_path = sys.argv[4] if len(sys.argv) > 4 else os.path.join(C.CACHE, "sx.pt")
    w = W.World()

    class Args:
        retrain = True
    toks = B.load_toks()
    val = B.evalset("context-val", "script")
    init = nets.make("gpt2", nets.SX_CONFIG)
    init.load_state_dict(torch.load(init_path, map_location="cpu")["model"])

    def batch(rng: random.Random):
        if rng.random() < ctx:
            return [B.multi_qa(w, rng, "script", p_rev=1 / 3) for _ in range(16)]
        return B.sx_task_batch(w, rng, 16, p_rev=1 / 3)
    name = f"exp-sx-more-{ctx:g}" + ("" if seed == 23 else f"-s{seed}")
    B.train_lm(Args, w, name, nets.SX_CONFIG, toks[1], batch, val, steps, 1e-3, init=init, seed=seed, lm_weight=0.05)


if __name__ == "__main__":
    main()
