#!/usr/bin/python3
"""Why does rx stall on binding (picking the asked person's fact among 2-3 people)?  One-variable changes of the
rx phase-a recipe (lr 2e-3, lm weight 0.2, batch 32, seed 11, same data order), compared at equal steps with the
rx-a curve of the run that made .cache/rx-a.pt:
  nodecay  AdamW weight decay only on matrices/embeddings, not on 1-D parameters (RMSNorm and q/k-norm gains):
           decay pulls the q/k-norm gains below 1, which caps how sharp attention can get (|logit| <= g^2 sqrt(D)).
  noqknorm the q/k RMSNorm removed (plain Llama attention).
usage: training/experiments/rx_binding.py VARIANT STEPS      (writes .cache/exp-rx-VARIANT.pt and its log lines)"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


ADAMW = torch.optim.AdamW


def adamw_without_1d_decay(params, weight_decay=0.0, **kw):
    params = list(params)
    return ADAMW([{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
                                          {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}], **kw)


def main():
    variant, steps = sys.argv[1], int(sys.argv[2])
    if variant == "nodecay":
        torch.optim.AdamW = adamw_without_1d_decay  # build.train_lm looks it up at call time
    elif variant == "noqknorm":
        make = nets.make

        def make_without_qknorm(kind, c):
            m = make(kind, c)
            for layer in m.layers:
                layer.qn, layer.kn = torch.nn.Identity(), torch.nn.Identity()
            return m
        nets.make = make_without_qknorm
    else:
        sys.exit("variant: nodecay | noqknorm")

    class Args:
        retrain = True
    w = W.World()
    toks = B.load_toks()
    val = B.evalset("context-val", "plain")
    B.train_lm(Args, w, "exp-rx-" + variant, nets.RX_CONFIG, toks[0], lambda rng: [B.rx_sampler(w, rng) for _ in range(32)],
               val, steps, 2e-3, target=0.995, seed=11)


if __name__ == "__main__":
    main()
