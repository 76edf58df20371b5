#!/usr/bin/python3
"""A sharer that has the answer where the fuser can read it. The sharer binds (96% val script) by its own attention at
answer time: the asked person's value is in none of its K/V at the passage, the question or the last prompt byte
(probe 2-9%), so a per-token fuser cannot hand it over, and fuser_where.py shows the question's fused K/V matter too.
This continues the sharer with an auxiliary head (AnswerHead) on the residual stream after layer LAYER that predicts
the answer (one class per value of the closed sets) at every byte of the question after the asked name ("live?",
"work as?", "like?" and " Answer:"), so that the layers above it carry the answer in their K/V at those bytes.
Phase b's mix (script-heavy, contested, lr 1e-3) from INIT; the checkpoint best on val goes to
`$LL_CACHE/exp-sx-answer-WEIGHT.pt` (and is the sharer a fuser is then trained on: copy it to sx.pt).
usage: LL_CACHE=... training/experiments/sx_answer.py WEIGHT STEPS LAYER INIT_CKPT"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import build as B  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402

NAME = re.compile(r"[A-Z][a-z]+ [A-Z][a-z]+")


class AnswerHead(torch.nn.Module):
    """linear head after layer `layer`: the first question's answer at every byte from the end of the asked name to
    the end of its prompt (only for value answers: reverse questions are skipped). The head is dropped after
    training; the exported sharer is unchanged in form."""

    def __init__(self, w, hidden, layer, weight):
        super().__init__()
        self.values = [v for a in W.ATTRS for v in w.values[a]]
        self.index = {v: i for i, v in enumerate(self.values)}
        self.layer, self.weight = layer, weight
        self.proj = torch.nn.Linear(hidden, len(self.values))
        self.last_aux = 0.0

    def labels(self, tok, items, L):
        y = torch.full((len(items), L), -100, dtype=torch.long)
        for i, (segs, owners, *_) in enumerate(items):
            if not owners:
                continue  # not a context item
            prompt, ans = segs[0]
            cls = self.index.get(ans.strip())
            if cls is None:
                continue
            q0 = prompt.rindex(" Question: ")
            m = NAME.search(prompt, q0)
            offs = tok.encode_with_offsets(prompt)[1]
            for j, (a, b) in enumerate(offs):
                if a >= m.end() - 1:  # position j + 1 (after BOS); from the name's last byte on
                    y[i, j + 1] = cls
        return y

    def loss(self, m, tok, items, lm_weight):
        lm, hidden, L = B.lm_loss_with_layer(m, tok, items, lm_weight, self.layer)
        y = self.labels(tok, items, L)
        if (y >= 0).sum() == 0:
            self.last_aux = 0.0
            return lm
        z = self.proj(hidden)
        aux = F.cross_entropy(z.reshape(-1, z.shape[-1]), y.reshape(-1).to(z.device), ignore_index=-100)
        self.last_aux = aux.item()
        return lm + self.weight * aux


def main():
    weight, steps, layer, init_ck = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    args = B.parser().parse_args(["--retrain"])
    w = W.World()
    toks = B.load_toks()
    init = nets.make("gpt2", nets.SX_CONFIG)
    init.load_state_dict(torch.load(init_ck, map_location="cpu")["model"])
    head = AnswerHead(w, nets.SX_CONFIG["hidden_size"], layer, weight)
    B.train_lm(args, w, f"exp-sx-answer-{weight}", nets.SX_CONFIG, toks[1],
               lambda rng: B.sx_script_heavy_batch(w, rng, args.sx_bs, args.reverse_share, args.sx2_ctx_share,
                                                   with_owners=True, contested=args.sx_questions == "contested"),
               B.evalset("context-val", "script"), steps, 1e-3, seed=25, init=init, lm_weight=0.05, aux=head)


if __name__ == "__main__":
    main()
