#!/usr/bin/python3
"""End-to-end steps (the answer cross-entropy plus the distillation term, stages2.train_fuser) on top of a fuser
fitted by regression (fuser_regress.py), judged by C2C on val. The fit alone gives 88.3% val script; this asks
whether the issue's own loss, started from the fit, closes the rest or undoes it.
usage: LL_CACHE=... [LL_ALIGN=last] [LR=1e-4] [TAU0=0.2] [DISTILL=1.0] fuser_finetune.py FIT_TAG STEPS
  reads $LL_CACHE/fuser-regress-FIT_TAG.pt; writes results/fuser-finetune-FIT_TAG-STEPS-LR-DISTILL.json"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import fuser as FZ  # noqa: E402
import stages2  # noqa: E402
import world as W  # noqa: E402

ALIGN = os.environ.get("LL_ALIGN", "last")


def val_acc(rx, sx, fz, toks):
    fz.eval()
    res = {}
    for form in ("script", "plain"):
        rs = B.evalset("context-val", form)
        pred = FZ.c2c_generate(rx, sx, fz, toks[0], toks[1], [r["prompt"] for r in rs], ALIGN)
        res[form] = round(C.accuracy(pred, [r["answer"] for r in rs]), 4)
    return res


def main():
    tag, steps = sys.argv[1], int(sys.argv[2])
    lr, tau0, distill = float(os.environ.get("LR", "1e-4")), float(os.environ.get("TAU0", "0.2")), \
        float(os.environ.get("DISTILL", "1.0"))
    torch.set_num_threads(int(os.environ.get("LL_THREADS", "1")))
    ck = torch.load(os.path.join(C.CACHE, f"fuser-regress-{tag}.pt"), map_location="cpu")
    args = B.parser().parse_args(["--fuser-steps", str(steps), "--fuser-distill", str(distill),
                                  "--fuser-distill-keys", "rerotated", "--fuser-hid", str(ck.get("hid", ck.get("val_hid"))),
                                  "--fuser-key-hid", ",".join(map(str, ck["key_hid"]))])
    w = W.World()
    toks = B.load_toks()
    rx, _ = stages2.load_model("rx")
    sx, _ = stages2.load_model("sx")
    fz = stages2.make_fuser(args)
    fz.load_state_dict(ck["state"])
    before = val_acc(rx, sx, fz, toks)
    print("fitted:", before, flush=True)
    fz, _ = stages2.train_fuser(args, w, rx, sx, toks, ALIGN, steps, fz=fz, lr0=lr, tau0=tau0)
    after = val_acc(rx, sx, fz, toks)
    print(f"after {steps} steps:", after, "gates", torch.sigmoid(fz.gate_logit).detach().tolist(), flush=True)
    name = f"fuser-finetune-{tag}-{steps}-{lr:g}-{distill:g}"
    torch.save({"state": fz.state_dict(), "key_hid": ck["key_hid"], "hid": ck.get("hid", ck.get("val_hid"))},
               os.path.join(C.CACHE, name + ".pt"))
    out = os.path.join(HERE, "results", name + ".json")
    json.dump({"fit": tag, "steps": steps, "lr": lr, "tau0": tau0, "distill": distill, "align": ALIGN,
               "c2c_val_fitted": before, "c2c_val_after": after}, open(out, "w"), indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
