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
usage: training/experiments/rx_owner.py WEIGHT STEPS [SEED] [LAYER]"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


class TokenOwnerHead(B.OwnerHead):
    """OwnerHead for any tokenizer: a span of characters labels every token whose offsets overlap it (for the
    byte-level sharer this is exactly OwnerHead's byte j -> position j + 1)."""

    def loss(self, m, tok, items, lm_weight):
        batch = C.lm_batch(tok, [segs for segs, _ in items], lm_weight)
        seen = []
        hook = m.layers[self.layer].register_forward_hook(lambda mod, inp, out: seen.append(out[0]))
        try:
            lm = C.lm_loss(m, batch)
        finally:
            hook.remove()
        L = batch[0].shape[1]
        yf = torch.full((len(items), L), -100, dtype=torch.long)
        yl = torch.full((len(items), L), -100, dtype=torch.long)
        for i, (segs, owners) in enumerate(items):
            if not owners:
                continue
            _, offs = tok.encode_with_offsets(segs[0][0])  # the first segment's prompt holds the passage
            for s, e, f, l, _ in owners:
                for j, (a, b) in enumerate(offs):
                    if a < e and b > s:
                        yf[i, j + 1] = f  # + 1: BOS
                        yl[i, j + 1] = l
        z = self.proj(seen[0])
        nf = self.nf
        aux = (torch.nn.functional.cross_entropy(z[..., :nf].reshape(-1, nf), yf.reshape(-1).to(z.device),
                                                 ignore_index=-100)
               + torch.nn.functional.cross_entropy(z[..., nf:].reshape(-1, z.shape[-1] - nf),
                                                   yl.reshape(-1).to(z.device), ignore_index=-100))
        self.last_aux = aux.item()
        return lm + self.weight * aux


def main():
    weight, steps = float(sys.argv[1]), int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 11
    layer = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    w = W.World()

    class Args:
        retrain = True
    toks = B.load_toks()
    val = B.evalset("context-val", "plain")
    head = TokenOwnerHead(w, nets.RX_CONFIG["hidden_size"], layer, weight) if weight > 0 else None
    fn = lambda rng: [B.multi_qa(w, rng, "plain", p_rev=1 / 3, with_owners=head is not None)  # noqa: E731
                      for _ in range(32)]
    B.train_lm(Args, w, f"exp-rx-owner-{weight}-s{seed}-l{layer}", nets.RX_CONFIG, toks[0], fn, val, steps, 2e-3,
               target=0.995, seed=seed, aux=head)


if __name__ == "__main__":
    main()
