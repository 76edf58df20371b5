#!/usr/bin/python3
"""Does an owner objective make rx's binding reliable?  rx phase a from scratch exactly as build.py (lr 2e-3, batch
32, reverse share 1/3, the given seed; seed 11 is the recipe's), plus build.py's OwnerHead moved onto the receiver: a
linear head on the output of rx layer LAYER predicts, at every token of every value word and of each person's last
name, the owner's first and last name (cross-entropy, weight WEIGHT). The head is dropped afterwards.

Why: the recipe's binding is a lottery. The session-4 rx (seed 11, another machine) broke the binding plateau at
2,500-3,000 steps (79.7% val plain at 3,000) and reached 100%; the session-10 one-command rebuild on this machine
(same code, seed and data; floating point diverged from step ~150) sat at 53-57% through phase a and phase b.
Binding needs the owner written onto each value token (rx does that: owner_probe.py, 51% at layer 2), and the forward
question rewards that only once the whole circuit exists; the reverse question was meant to reward it, but
reverse_eval.py found rx never learned reverse questions. This objective rewards it directly.
Data order and initial weights equal build.py's for the same seed (the head is built before the seed is set), so a
curve compares step by step with the rebuild's rx-a log.
With ASK (a fifth argument "ask"), the same head also reads the last prompt token of every forward question and
predicts the asked person there: one readout for both sides, so that the question's person and each value's owner
sit in one subspace, which is what a layer above needs to match them.
usage: training/experiments/rx_owner.py WEIGHT STEPS [SEED] [LAYER] [ask]"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


class AskOwnerHead(B.OwnerHead):
    """build.py's OwnerHead (every token overlapping a value or last name gets its owner), plus, for items that carry
    a third element (question index, first, last), the asked person at the last prompt token of that question."""

    @staticmethod
    def labels(tok, items, L):
        yf, yl = B.OwnerHead.labels(tok, items, L)
        for i, item in enumerate(items):
            if len(item) < 3:
                continue
            at = 1  # BOS
            for n, (p, t) in enumerate(item[0]):
                at += len(tok.encode(p))
                for qn, f, l in item[2]:
                    if qn == n:
                        yf[i, at - 1] = f  # the last prompt token, which predicts the answer
                        yl[i, at - 1] = l
                at += len(tok.encode(t)) + 1  # + EOS
        return yf, yl


def multi_qa_asks(w, rng, p_rev):
    """build.multi_qa(form plain, with_owners) with the same draws, plus (question index, first, last) of every
    forward question."""
    ps, facts, shown = w.passage(rng, "train", (1, 2, 3))
    psg = " ".join(w.sentence(p, shown[j], facts[j]) for j, p in enumerate(ps))
    cands = [(i, a) for i in range(len(ps)) for a in shown[i]]
    rng.shuffle(cands)
    segs, asks = [], []
    for n, (i, a) in enumerate(cands[:3]):
        if p_rev > 0 and rng.random() < p_rev:
            q, ans = W.REVERSE_QUESTION[a].format(v=facts[i][a]), ps[i]
        else:
            q, ans = W.QUESTION[a].format(n=ps[i]), facts[i][a]
            first, last = ps[i].split()
            asks.append((n, w.first.index(first), w.last.index(last)))
        segs.append((w.ctx_prompt(psg, q) if n == 0 else " Question: " + q + " Answer:", " " + ans))
    return segs, B.owner_spans(w, ps, shown, facts, len("Context: ")), asks


def main():
    weight, steps = float(sys.argv[1]), int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 11
    layer = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    w = W.World()

    class Args:
        retrain = True
    toks = B.load_toks()
    val = B.evalset("context-val", "plain")
    head = AskOwnerHead(w, nets.RX_CONFIG["hidden_size"], layer, weight) if weight > 0 else None
    ask = len(sys.argv) > 5 and sys.argv[5] == "ask"
    if ask:
        fn = lambda rng: [multi_qa_asks(w, rng, 1 / 3) for _ in range(32)]  # noqa: E731
    else:
        fn = lambda rng: [B.multi_qa(w, rng, "plain", p_rev=1 / 3, with_owners=head is not None)  # noqa: E731
                          for _ in range(32)]
    name = f"exp-rx-owner-{weight}-s{seed}-l{layer}" + ("-ask" if ask else "")
    B.train_lm(Args, w, name, nets.RX_CONFIG, toks[0], fn, val, steps, 2e-3,
               target=0.995, seed=seed, aux=head)


if __name__ == "__main__":
    main()
