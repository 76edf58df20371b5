#!/usr/bin/python3
"""A whole fuser fitted by regression to the turned distillation target, path by path, and judged end to end by C2C
on val. fuser_capacity.py showed that one key path fitted this way beats the trained fuser's (rx layer 0: 96.7%
with the target elsewhere, the fuser's 62%) and that rx layer 2's keys need the owner sharer and width (hid 192:
65.7%, 768: 85.3%; on the committed sharer 57% at any width). Here every K and V path (fuser.KVPath) is fitted on the
cached K/V of NTRAIN train-split passages in the script and as many in plain text (where the target is rx's own
cache, so a fit leaves plain passages alone), each to its layer's target with the fuser's scaled squared distance;
gates open. The fitted fuser goes to $LL_CACHE/fuser-regress-TAG.pt.
usage: LL_CACHE=... [LL_ALIGN=last] [NTRAIN=1500] [EPOCHS=4] [LL_TAG=x] fuser_regress.py KEY_HIDS [VAL_HID]
  KEY_HIDS: one width per receiver layer, e.g. 192,192,512,192"""
import json
import math
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import fuser as FZ  # noqa: E402
import stages2  # noqa: E402
import world as W  # noqa: E402
from fuser_capacity import ALIGN, features, rows  # noqa: E402


def fit(path, X, Sx, Y, epochs, tag):
    var = Y.var()
    opt = torch.optim.AdamW(path.parameters(), lr=1e-3, weight_decay=0.01)
    n, bs = X.shape[0], 512
    total, step, t0 = epochs * math.ceil(n / bs), 0, time.time()
    for ep in range(epochs):
        perm = torch.randperm(n)
        tot = 0.0
        for b0 in range(0, n, bs):
            ix = perm[b0:b0 + bs]
            for gr in opt.param_groups:
                gr["lr"] = 1e-3 * 0.5 * (1 + math.cos(math.pi * step / total))
            loss = ((X[ix] + path(X[ix], Sx[ix]) - Y[ix]) ** 2).mean() / var
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(ix)
            step += 1
    print(f"{tag}: train scaled distance {tot / n:.3f} ({time.time() - t0:.0f}s)", flush=True)
    return round(tot / n, 4)


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
    lm = stages2.layer_map()
    torch.manual_seed(0)
    fz = FZ.Fuser(stages2.CFG["rx"], stages2.CFG["sx"], lm, hid=val_hid, key_hid=key_hid)
    rng = random.Random(708)
    items = [w.context_item(rng, "train") for _ in range(ntrain)]
    data = {}  # (layer index, 'k'|'v') -> lists of rx rows, sharer rows, target rows
    for form in ("script", "plain"):
        for b0 in range(0, ntrain, 32):
            ch = items[b0:b0 + 32]
            ps = [w.ctx_prompt(it["passage_" + form], it["question"]) for it in ch]
            qs = [w.ctx_prompt(it["passage_plain"], it["question"]) for it in ch]
            own, g, tgt, pam = features(rx, sx, toks, ps, qs, 0, 0)
            for i, (rl, sl) in enumerate(lm):
                for j, kv in enumerate("kv"):
                    d = data.setdefault((i, kv), ([], [], []))
                    d[0].append(rows(own[rl][j], pam))
                    d[1].append(rows(g[sl][j], pam))
                    d[2].append(rows(tgt[rl][j], pam))
    dist = {}
    for (i, kv), (X, Sx, Y) in data.items():
        path = (fz.kp if kv == "k" else fz.vp)[i]
        dist[f"L{lm[i][0]} {kv}"] = fit(path, torch.cat(X), torch.cat(Sx), torch.cat(Y), epochs, f"L{lm[i][0]} {kv}")
    with torch.no_grad():
        fz.gate_logit.fill_(1.0)
    fz.eval()
    torch.save({"state": fz.state_dict(), "key_hid": key_hid, "val_hid": val_hid},
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
