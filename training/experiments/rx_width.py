#!/usr/bin/python3
"""Does a wider receiver (or another learning rate) make rx's binding reliable?  rx phase a from scratch exactly as
build.py (batch 32, reverse share 1/3, the given seed), with hidden HIDDEN split into HEADS query heads (2 KV heads,
MLP 3 x hidden, as nets.RX_CONFIG) and peak learning rate LR (build.py: 2e-3).

Why: with nets.RX_CONFIG (hidden 128, 4 heads of 32) whether rx leaves its copying plateau is a lottery over seeds
and machines (session 10; rx_owner.py, rx_about.py, rx_wordtok.py). The issue's example receiver is hidden 256.
usage: training/experiments/rx_width.py HIDDEN HEADS STEPS [SEED] [LR]"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def main():
    hidden, heads, steps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 11
    lr = float(sys.argv[5]) if len(sys.argv) > 5 else 2e-3
    nets.RX_CONFIG.update(hidden_size=hidden, num_attention_heads=heads, head_size=hidden // heads,
                          intermediate_size=3 * hidden)
    w = W.World()

    class Args:
        retrain = True
    toks = B.load_toks()
    val = B.evalset("context-val", "plain")
    fn = lambda rng: [B.multi_qa(w, rng, "plain", p_rev=1 / 3) for _ in range(32)]  # noqa: E731
    B.train_lm(Args, w, f"exp-rx-width-{hidden}x{heads}-s{seed}-lr{lr}", nets.RX_CONFIG, toks[0], fn, val, steps,
               lr, target=0.995, seed=seed)


if __name__ == "__main__":
    main()
