#!/usr/bin/python3
"""Can the sharer learn to write a value's owner onto the value (build.py's OwnerHead, sx phase c), and does the
name's own span help? Continues the phase-b sharer (`.cache/sx-b.pt`) on script context batches (batch 16, 1/3
reversed questions, lr 1e-3 constant, seed 0) with the owner objective alone weighted WEIGHT on top of the LM loss,
and prints the owner loss every 10 steps (chance: 2 ln 110 = 9.40). MODE `values`: labels on value words only;
`values+name`: also on each person's last name (what build.py uses).
usage: training/experiments/owner_aux.py LAYER WEIGHT STEPS values|values+name"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def main():
    layer, weight, steps, mode = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    torch.manual_seed(0)
    w = W.World()
    toks = B.load_toks()
    rng = random.Random(7)
    m = nets.make("gpt2", nets.SX_CONFIG)
    m.load_state_dict(torch.load(os.path.join(C.CACHE, "sx-b.pt"), map_location="cpu")["model"])
    head = B.OwnerHead(w, nets.SX_CONFIG["hidden_size"], layer, weight)
    params = list(m.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=1e-3)
    for step in range(1, steps + 1):
        items = [B.multi_qa(w, rng, "script", p_rev=1 / 3, with_owners=True) for _ in range(16)]
        if mode == "values":
            items = [(segs, [o for o in owners if not o[4]]) for segs, owners in items]
        loss = head.loss(m, toks[1], items, 0.05)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % 10 == 0:
            print(f"step {step} loss {loss.item():.3f} owner {head.last_aux:.3f}", flush=True)


if __name__ == "__main__":
    main()
