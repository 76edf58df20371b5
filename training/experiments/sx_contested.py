#!/usr/bin/python3
"""Does the receiver's lever, contested questions, make the sharer bind?  The sharer's phase b exactly as build.py
(from the cached phase-a sharer `sx-a.pt`, lr 1e-3, lm weight 0.05, seed 23, batch 16, 60% script context batches,
the rest the phase-a task mix), except that every context question (script and plain) is asked as
build.multi_qa(contested=True) asks it: 2-3 person passages, only about attributes two or more people show. On rx
that turned a seed that sat on the copying plateau into one that reached 100% (rx_levers.py). Compare the val script
curve with the committed phase b's (`runs/2026-12-04-sx-2x48/build-sx-b.log`).
usage: training/experiments/sx_contested.py STEPS"""
import functools
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import torch  # noqa: E402
import world as W  # noqa: E402


def main():
    steps = int(sys.argv[1])
    w = W.World()
    args = B.parser().parse_args([])
    args.retrain = True
    B.multi_qa = functools.partial(B.multi_qa, contested=True)  # the samplers look it up at call time
    toks = B.load_toks()
    val = B.evalset("context-val", "script")
    a = nets.make("gpt2", nets.SX_CONFIG)
    a.load_state_dict(torch.load(os.path.join(C.CACHE, "sx-a.pt"), map_location="cpu")["model"])
    heavy = lambda rng: B.sx_script_heavy_batch(w, rng, args.sx_bs, args.reverse_share, args.sx2_ctx_share)  # noqa: E731
    B.train_lm(args, w, "exp-sx-contested-b", nets.SX_CONFIG, toks[1], heavy, val, steps, 1e-3, seed=23, init=a,
               lm_weight=0.05)


if __name__ == "__main__":
    main()
