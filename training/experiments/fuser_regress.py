#!/usr/bin/python3
"""A whole fuser fitted by regression to the turned distillation target, path by path (training/fuser_fit.py), and
judged end to end by C2C on val. fuser_capacity.py showed that one key path fitted this way beats the trained
fuser's (rx layer 0: 96.7% with the target elsewhere, the fuser's 62%) and that rx layer 2's keys need the owner
sharer and width (hid 192: 65.7%, 768: 85.3%; on the committed sharer 57% at any width). The fitted fuser goes to
$LL_CACHE/fuser-regress-TAG.pt. `build.py --fuser-fit regress` is the same fit inside the build.
usage: LL_CACHE=... [LL_ALIGN=last] [NTRAIN=1500] [EPOCHS=4] [LL_TAG=x] fuser_regress.py KEY_HIDS [VAL_HID]
  KEY_HIDS: one width per receiver layer, e.g. 192,192,768,192"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import fuser as FZ  # noqa: E402
import fuser_fit  # noqa: E402
import stages2  # noqa: E402
import world as W  # noqa: E402

ALIGN = os.environ.get("LL_ALIGN", "last")


def main():
    key_hid = [int(h) for h in sys.argv[1].split(",")]
    val_hid = int(sys.argv[2]) if len(sys.argv) > 2 else 192
    ntrain, epochs = int(os.environ.get("NTRAIN", "1500")), int(os.environ.get("EPOCHS", "4"))
    tag = os.environ.get("LL_TAG", "x")
    torch.set_num_threads(int(os.environ.get("LL_THREADS", "1")))
    w = W.World()
    toks = B.load_toks()
    rx, _ = stages2.load_model("rx")
    sx, _ = stages2.load_model("sx")
    torch.manual_seed(0)
    fz = FZ.Fuser(stages2.CFG["rx"], stages2.CFG["sx"], stages2.layer_map(), hid=val_hid, key_hid=key_hid)
    dist = fuser_fit.fit_fuser(fz, rx, sx, toks, w, ALIGN, ntrain, epochs)
    fz.eval()
    torch.save({"state": fz.state_dict(), "key_hid": key_hid, "hid": val_hid},
               os.path.join(C.CACHE, f"fuser-regress-{tag}.pt"))
    res = {}
    for form in ("script", "plain"):
        rs = B.evalset("context-val", form)
        pred = FZ.c2c_generate(rx, sx, fz, toks[0], toks[1], [r["prompt"] for r in rs], ALIGN)
        res[form] = round(C.accuracy(pred, [r["answer"] for r in rs]), 4)
        print(f"C2C val {form}: {res[form]}", flush=True)
    out = os.path.join(HERE, "results", f"fuser-regress-{tag}.json")
    json.dump({"key_hid": key_hid, "val_hid": val_hid, "align": ALIGN, "ntrain": ntrain, "epochs": epochs,
               "train_scaled_distance": dist, "c2c_val": res,
               "params": sum(p.numel() for p in fz.parameters())}, open(out, "w"), indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
