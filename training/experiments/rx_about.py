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

ABOUT_QUESTION = "What do we know about {n}?"


def multi_qa_about(w, rng, p_about, ks, p_rev=1 / 3):
    """build.multi_qa(form plain) with about questions mixed in (draws differ from build.py's once p_about > 0)."""
    ps, facts, shown = w.passage(rng, "train", ks)
    psg = " ".join(w.sentence(p, shown[j], facts[j]) for j, p in enumerate(ps))
    cands = [(i, a) for i in range(len(ps)) for a in shown[i]]
    rng.shuffle(cands)
    segs = []
    for n, (i, a) in enumerate(cands[:3]):
        if p_about > 0 and rng.random() < p_about:
            q = ABOUT_QUESTION.format(n=ps[i])
            ans = w.sentence(ps[i], shown[i], facts[i])[len(ps[i]) + 1:]
        elif p_rev > 0 and rng.random() < p_rev:
            q, ans = W.REVERSE_QUESTION[a].format(v=facts[i][a]), ps[i]
        else:
            q, ans = W.QUESTION[a].format(n=ps[i]), facts[i][a]
        segs.append((w.ctx_prompt(psg, q) if n == 0 else " Question: " + q + " Answer:", " " + ans))
    return segs


def main():
    p_about, steps = float(sys.argv[1]), int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 11
    ks = tuple(int(k) for k in sys.argv[4].split(",")) if len(sys.argv) > 4 else (1, 2, 3)
    w = W.World()

    class Args:
        retrain = True
    toks = B.load_toks()
    val = B.evalset("context-val", "plain")
    fn = lambda rng: [multi_qa_about(w, rng, p_about, ks) for _ in range(32)]  # noqa: E731
    name = f"exp-rx-about-{p_about}-s{seed}-k{''.join(map(str, ks))}"
    B.train_lm(Args, w, name, nets.RX_CONFIG, toks[0], fn, val, steps, 2e-3, target=0.995, seed=seed)


if __name__ == "__main__":
    main()
