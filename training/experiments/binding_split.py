#!/usr/bin/python3
"""Accuracy of an rx checkpoint on val plain passages, split by how many values of the asked attribute the passage
shows: with one, copying the only candidate suffices; with two or more the model must bind the value to the asked
person. A model that copies but does not bind sits at 1/n on the n-candidate rows.
usage: training/experiments/binding_split.py CKPT [standard|repeat] [heads]"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import stages2  # noqa: E402
import world as W  # noqa: E402


def main():
    ck, fmt = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "standard")
    cfg = dict(nets.RX_CONFIG)
    if "heads" in sys.argv[3:]:
        cfg.update(num_attention_heads=8, num_key_value_heads=4, head_size=16)
    w = W.World()
    if fmt == "repeat":
        import rx_repeat
        W.World.sentence = staticmethod(rx_repeat.repeated_sentence)
        rows = rx_repeat.val_rows(w)
    else:
        rows = B.evalset("context-val", "plain")
    st = torch.load(ck, map_location="cpu")
    m = nets.make("llama", cfg)
    m.load_state_dict(st["model"])
    toks = B.load_toks()
    preds = C.greedy(m, toks[0], [r["prompt"] for r in rows])
    by_n = {}
    for r, p in zip(rows, preds):
        psg = r["prompt"].split(" Question: ")[0]
        n = sum(1 for v in w.values[r["attribute"]] if stages2.in_passage(w, v, psg, "plain"))
        c = by_n.setdefault(n, [0, 0])
        c[0] += p.strip() == r["answer"]
        c[1] += 1
    out = {"checkpoint": ck, "step": st.get("step", st.get("steps_run")), "val": st.get("val"), "format": fmt,
           "by_candidates": {str(n): {"correct": c, "n": t, "acc": round(c / t, 3), "chance": round(1 / n, 3)}
                             for n, (c, t) in sorted(by_n.items())}}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
