#!/usr/bin/python3
"""Is the fuser too small, or is what it needs not in its inputs? fuser_oracle.py showed the receiver binds from the
turned distillation target (96% val script) but not when one layer's keys (rx layer 0 or 2) come from the fuser
(59-62%). Here one fuser key path (fuser.KVPath, the fuser's own block) is fitted by plain regression to that layer's
turned target keys, from the same inputs the fuser gets (rx's own K of the script and the sharer's K at the aligned
byte), on the cached K of NTRAIN fresh train-split script passages, for each hidden width given; each fit is then
judged by the receiver: the target cache everywhere except that layer's keys, which come from the fit. If a wider
path answers far better than the fuser's width, the fuser is too small (or too briefly trained); if no width helps,
the keys the receiver needs cannot be computed per token from these inputs.
usage: LL_CACHE=... [LL_ALIGN=last] [NTRAIN=1500] [EPOCHS=4] [LL_TAG=x] fuser_capacity.py RX_LAYER HID [HID ...]"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import fuser as FZ  # noqa: E402
import fuser_fit  # noqa: E402
from fuser_fit import rows  # noqa: E402
import stages2  # noqa: E402
import world as W  # noqa: E402

ALIGN = os.environ.get("LL_ALIGN", "last")


def main():
    li, hids = int(sys.argv[1]), [int(h) for h in sys.argv[2:]]
    ntrain, epochs = int(os.environ.get("NTRAIN", "1500")), int(os.environ.get("EPOCHS", "4"))
    torch.set_num_threads(int(os.environ.get("LL_THREADS", "1")))
    w = W.World()
    toks = B.load_toks()
    rx, _ = stages2.load_model("rx")
    sx, _ = stages2.load_model("sx")
    rl, sl = stages2.layer_map()[li]
    rng = random.Random(707)
    items = [w.context_item(rng, "train") for _ in range(ntrain)]
    R, S, Y = [], [], []
    for b0 in range(0, ntrain, 32):
        ch = items[b0:b0 + 32]
        own, g, tgt, pam = fuser_fit.features(rx, sx, toks, [w.ctx_prompt(it["passage_script"], it["question"]) for it in ch],
                                              [w.ctx_prompt(it["passage_plain"], it["question"]) for it in ch], ALIGN)
        R.append(rows(own[rl][0], pam))
        S.append(rows(g[sl][0], pam))
        Y.append(rows(tgt[rl][0], pam))
    R, S, Y = torch.cat(R), torch.cat(S), torch.cat(Y)
    var = Y.var()
    print(f"rx layer {rl} (sharer {sl}): {R.shape[0]} training rows; rx's own K scaled distance "
          f"{float(((R - Y) ** 2).mean() / var):.3f}", flush=True)
    rows_val = B.evalset("context-val")
    plain = {r["id"][:-len("-plain")]: r for r in rows_val if r["form"] == "plain"}
    script = [r for r in rows_val if r["form"] == "script"]
    twins = [plain[r["id"][:-len("-script")]]["prompt"] for r in script]
    res = {}
    for hid in hids:
        torch.manual_seed(0)
        path = FZ.KVPath(R.shape[1], R.shape[3], S.shape[1], S.shape[3], hid=hid, blocks=2)
        d = fuser_fit.fit_path(path, R, S, Y, epochs)
        print(f"hid {hid}: train scaled distance {d:.3f}", flush=True)
        path.eval()
        preds, dist, cnt = [], 0.0, 0
        for b0 in range(0, len(script), 64):
            ps, qs = [r["prompt"] for r in script[b0:b0 + 64]], twins[b0:b0 + 64]

            def pick(rpast, g, ps=ps, qs=qs):
                with torch.no_grad():
                    tgt = FZ.plain_targets(rx, toks[0], ps, qs, rpast[0][0].shape[2], True)
                    k = rpast[rl][0] + path(rpast[rl][0], g[sl][0])
                return [(k if i == rl else tgt[i][0], tgt[i][1]) for i in range(len(tgt))]

            class Fixed:
                layer_map = stages2.layer_map()

                def __call__(self, rpast, g):
                    return pick(rpast, g)
            preds += FZ.c2c_generate(rx, sx, Fixed(), toks[0], toks[1], ps, ALIGN)
            own, g, tgt, pam = fuser_fit.features(rx, sx, toks, ps, qs, ALIGN)
            with torch.no_grad():
                k = own[rl][0] + path(own[rl][0], g[sl][0])
            mm = pam.float()[:, None, :, None]
            dist += float((((k - tgt[rl][0]) ** 2) * mm).sum() / (k.shape[1] * k.shape[3]))
            cnt += float(mm.sum())
        acc = C.accuracy(preds, [r["answer"] for r in script])
        res[hid] = {"val_script_target_except_fit_keys": round(acc, 4), "val_scaled_distance": round(dist / cnt / float(var), 4),
                    "params": sum(p.numel() for p in path.parameters())}
        print(f"hid {hid}: {res[hid]}", flush=True)
    out = os.path.join(HERE, "results", f"fuser-capacity-L{rl}-{os.environ.get('LL_TAG', 'committed')}.json")
    json.dump({"rx_layer": rl, "sharer_layer": sl, "align": ALIGN, "ntrain": ntrain, "epochs": epochs,
               "rows": R.shape[0], "by_hidden": res}, open(out, "w"), indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
