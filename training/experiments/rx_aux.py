#!/usr/bin/python3
"""Does an auxiliary *reverse* question break rx's binding plateau?  rx phase a from scratch (lr 2e-3, lm weight
0.2, batch 32, seed 11: the recipe and data order of build.py) with a share of the training questions asked the
other way round: "Who lives in Zoutha?" -> "Turn Deidrir" (build.py --reverse-share). To answer it the model must
carry the name of a sentence's person to that sentence's value tokens, which is the key the forward question needs to match on; the
forward question alone rewards that only once the whole circuit exists, hence (the hypothesis) the plateau.
Variants:
  reverse        1/3 of the training questions reversed; eval unchanged (forward questions, val plain)
  reverse_heads  the same, and rx with 8 query heads x 16 and 4 KV heads (more distinct attention patterns per layer
                 at the same hidden size and cost)
  baseline       build.py's rx phase a unchanged (for a side-by-side curve)
Compare with the rx-a curve of the run that made the committed models (50.0% at 1,000 steps, 57.7% at 3,000).
usage: training/experiments/rx_aux.py VARIANT STEPS"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def main():
    variant, steps = sys.argv[1], int(sys.argv[2])
    w = W.World()
    cfg = dict(nets.RX_CONFIG)
    if variant == "baseline":
        sampler = B.rx_sampler
    elif variant in ("reverse", "reverse_heads"):
        sampler = lambda w, rng: B.rx_sampler(w, rng, p_rev=1 / 3)  # noqa: E731
        if variant == "reverse_heads":
            cfg.update(num_attention_heads=8, num_key_value_heads=4, head_size=16)
    else:
        sys.exit("variant: reverse | reverse_heads | baseline")

    class Args:
        retrain = True
    toks = B.load_toks()
    val = B.evalset("context-val", "plain")
    fn = lambda rng: [sampler(w, rng) for _ in range(32)]  # noqa: E731
    B.train_lm(Args, w, "exp-rx-aux-" + variant, cfg, toks[0], fn, val, steps, 2e-3, target=0.995, seed=11)


if __name__ == "__main__":
    main()
