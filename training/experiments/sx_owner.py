#!/usr/bin/python3
"""sx phase c (build.py's OwnerHead) at another owner weight, without touching the cached sx.pt: does a lighter
owner objective keep the sharer's values (val script) while still writing the owner onto them? Same recipe as
`build.py --sx3-steps STEPS` (phase b's mix from `.cache/sx-b.pt`, lr 1e-3, seed 24, owner head on layer 2) except
the weight; the checkpoint best on val goes to `.cache/exp-sx-owner-WEIGHT.pt` (probe it with owner_probe.py).
usage: training/experiments/sx_owner.py WEIGHT STEPS"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def main():
    weight, steps = float(sys.argv[1]), int(sys.argv[2])
    args = B.parser().parse_args(["--retrain"])
    w = W.World()
    toks = B.load_toks()
    init = nets.make("gpt2", nets.SX_CONFIG)
    init.load_state_dict(torch.load(os.path.join(C.CACHE, "sx-b.pt"), map_location="cpu")["model"])
    head = B.OwnerHead(w, nets.SX_CONFIG["hidden_size"], B.owner_layer(args), weight)
    B.train_lm(args, w, f"exp-sx-owner-{weight}", nets.SX_CONFIG, toks[1],
               lambda rng: B.sx_script_heavy_batch(w, rng, args.sx_bs, args.reverse_share, args.sx2_ctx_share,
                                                   with_owners=True),
               B.evalset("context-val", "script"), steps, 1e-3, seed=24, init=init, lm_weight=0.05, aux=head)


if __name__ == "__main__":
    main()
