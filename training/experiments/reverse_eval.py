#!/usr/bin/python3
"""Has the sharer learned the reverse question ("Who lives in Zoutha?" -> "Turn Deidrir"), the task that taught rx
to carry a sentence's name onto its values (rx_aux.py)? The owner probe finds no owner at the sharer's script
values; if the sharer nevertheless answered reverse questions, the owner would be held elsewhere. 300 passages of
2-3 val-split people (seed 77, never trained on), the first question reversed; the sharer reads them in the script,
rx in plain text as the reference of a model that binds. An answer is `correct`, `other_person` (someone else in
the passage) or `not_in_passage`; `last_name_right` / `first_name_right` count the two name parts separately (rx
writes only the owner's last name onto a value: owner_probe.py).
usage: training/experiments/reverse_eval.py [N]"""
import json
import os
import random
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def items(w, n):
    rng = random.Random(77)
    out = []
    for _ in range(n):
        ps, facts, shown = w.passage(rng, "val", (2, 3))
        psg = " ".join(w.sentence(p, shown[j], facts[j]) for j, p in enumerate(ps))
        i = rng.randrange(len(ps))
        a = rng.choice(sorted(shown[i]))
        q = W.REVERSE_QUESTION[a].format(v=facts[i][a])
        out.append({"plain": w.ctx_prompt(psg, q), "script": w.ctx_prompt(w.encipher(psg), q), "answer": ps[i],
                    "people": ps})
    return out


def score(m, tok, rows, form):
    outs = C.greedy(m, tok, [r[form] for r in rows])
    kinds = {"correct": 0, "other_person": 0, "not_in_passage": 0, "last_name_right": 0, "first_name_right": 0}
    for r, o in zip(rows, outs):
        o = o.strip()
        kinds["correct" if o == r["answer"] else "other_person" if o in r["people"] else "not_in_passage"] += 1
        got, want = o.split(), r["answer"].split()
        kinds["last_name_right"] += int(len(got) == 2 and got[1] == want[1])
        kinds["first_name_right"] += int(len(got) == 2 and got[0] == want[0])
    return {k: round(v / len(rows), 3) for k, v in kinds.items()}


def load(kind, cfg, name):
    m = nets.make(kind, cfg)
    m.load_state_dict(torch.load(os.path.join(C.CACHE, name), map_location="cpu")["model"])
    return m.eval()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    w = W.World()
    toks = B.load_toks()
    rows = items(w, n)
    sx = load("gpt2", nets.SX_CONFIG, "sx.pt")
    res = {"n": n, "sx_script": score(sx, toks[1], rows, "script"), "sx_plain": score(sx, toks[1], rows, "plain"),
           "rx_plain": score(load("llama", nets.RX_CONFIG, "rx.pt"), toks[0], rows, "plain"),
           "example": rows[0]}
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
