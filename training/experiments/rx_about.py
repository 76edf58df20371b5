#!/usr/bin/python3
"""Does an auxiliary "about" question make rx's binding reliable?  rx phase a from scratch exactly as build.py (lr
2e-3, batch 32, reverse share 1/3, the given seed), except that each question of a passage is, with probability
ABOUT, replaced by "What do we know about <name>?" whose answer is the rest of that person's sentence ("lives in
Zoutha, works as barber, likes melons."). KS (comma-separated, default 1,2,3) sets how many people a training passage
holds.

Why: rx_owner.py put each value's owner onto the value (owner loss ~0.01) and rx still did not bind, and the
repeated-name format (rx_repeat.py, "X lives in C. X works as J.") did not bind either, though there the value
follows its name directly. What both miss is the query side: the answer position has to carry the asked name and
match it against the passage. The about question rewards exactly that match, on its own: find the asked name in the
passage and copy what follows it, an induction-head task with a multi-token key.
usage: training/experiments/rx_about.py ABOUT STEPS [SEED] [KS]"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402

def main():
    p_about, steps = float(sys.argv[1]), int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 11
    ks = tuple(int(k) for k in sys.argv[4].split(",")) if len(sys.argv) > 4 else (1, 2, 3)
    w = W.World()

    class Args:
        retrain = True
    toks = B.load_toks()
    val = B.evalset("context-val", "plain")
    fn = lambda rng: [B.multi_qa(w, rng, "plain", ks=ks, p_rev=1 / 3, p_about=p_about)  # noqa: E731
                      for _ in range(32)]
    name = f"exp-rx-about-{p_about}-s{seed}-k{''.join(map(str, ks))}"
    B.train_lm(Args, w, name, nets.RX_CONFIG, toks[0], fn, val, steps, 2e-3, target=0.995, seed=seed)


if __name__ == "__main__":
    main()
