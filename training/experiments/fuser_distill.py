#!/usr/bin/python3
"""Attribution for the fuser's distillation term: trains a fuser exactly like `build.py --stages fuser` (same seed,
data, steps, alignment) but with the given --fuser-distill weight, into training/.cache/exp-fuser-d<W>.pt, and
reports val script / plain C2C accuracy (the first 200 val passages of each form, as the fuser stage does).
usage: training/experiments/fuser_distill.py WEIGHT [STEPS]"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import stages2 as S  # noqa: E402
import world as W  # noqa: E402


def main():
    weight = float(sys.argv[1])
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 1200

    args = B.parser().parse_args(["--fuser-steps", str(steps), "--fuser-distill", str(weight)])
    w = W.World()
    toks = B.load_toks()
    rx, _ = S.load_model("rx")
    sx, _ = S.load_model("sx")
    fz, _ = S.train_fuser(args, w, rx, sx, toks, "first", steps)
    fz.eval()
    torch.save({"state": fz.state_dict()}, os.path.join(C.CACHE, f"exp-fuser-d{weight:g}.pt"))
    val = B.evalset("context-val")
    res = {}
    for form in ("script", "plain"):
        rows = [r for r in val if r["form"] == form][:200]
        res[form] = S.c2c_acc(rx, sx, fz, toks, rows, "first")[0]
    out = {"distill": weight, "steps": steps, "alignment": "first", "val": res,
           "gates": (fz.gate_logit > 0).int().tolist()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
