#!/usr/bin/python3
"""Can a fuser that reads a window of the sharer's cache, not only the aligned position, hand the receiver *whose*
value a script token is? The committed (per-token) fuser passes on which values a passage holds but not their
owners: the sharer's K/V at a value carry no owner (owner_probe.py), and the receiver then picks a value of the
asked kind at random (c2c_overlap.py). Here each receiver layer's fuser also gets an attention-pooled summary of the
sharer's K|V over the WINDOW bytes up to the aligned byte (one learned query per token from the receiver's and the
sharer's aligned K/V, keys with a learned relative-position term), so it can fetch the owner's name from earlier in
the sentence. Everything else is the fuser stage's training (seed 44, `first`, 50/50 script/plain, distillation
term, identical batches) on the cached rx.pt and sx.pt; val only. Not an exportable fuser (the Java projector fuses
per token).
usage: training/experiments/fuser_window.py WINDOW [STEPS]   -> results/fuser-window-WINDOW.json"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import fuser as FZ  # noqa: E402
import nets  # noqa: E402
import stages2 as S  # noqa: E402
import world as W  # noqa: E402
from c2c_overlap import accuracy_by  # noqa: E402


class WindowPool(nn.Module):
    """for every receiver token: softmax attention of one query over the sharer positions aln-window..aln."""

    def __init__(self, r_flat, s_flat, window, dq=32, dc=96):
        super().__init__()
        self.window, self.dq = window, dq
        self.q = nn.Linear(r_flat + s_flat, dq)
        self.k = nn.Linear(2 * s_flat, dq)   # projected over the whole sharer sequence, before the gather
        self.v = nn.Linear(2 * s_flat, dc)
        self.rel = nn.Parameter(torch.zeros(window + 1, dq))

    def forward(self, r, s, sk_full, sv_full, aln):
        Bn, T = r.shape[0], r.shape[2]
        flat = lambda x: x.transpose(1, 2).reshape(x.shape[0], x.shape[2], -1)  # noqa: E731  [B, len, heads*dim]
        full = torch.cat([flat(sk_full), flat(sv_full)], -1)
        keys, vals = self.k(full), self.v(full)
        off = torch.arange(self.window + 1, device=aln.device)
        idx = aln.unsqueeze(-1) - off                      # [B, T, W+1], the aligned byte first
        ok = idx >= 0
        idx = idx.clamp(min=0).reshape(Bn, -1)
        kw = torch.gather(keys, 1, idx.unsqueeze(-1).expand(-1, -1, keys.shape[-1])).view(Bn, T, -1, self.dq)
        vw = torch.gather(vals, 1, idx.unsqueeze(-1).expand(-1, -1, vals.shape[-1])).view(Bn, T, -1, vals.shape[-1])
        q = self.q(torch.cat([flat(r), flat(s)], -1))      # [B, T, dq]
        att = ((kw + self.rel) * q.unsqueeze(2)).sum(-1) / self.dq ** 0.5
        att = torch.softmax(att.masked_fill(~ok, -1e9), -1)
        return (att.unsqueeze(-1) * vw).sum(2)             # [B, T, dc]


class CtxPath(FZ.KVPath):
    """KVPath whose input also holds the pooled window."""

    def __init__(self, r_heads, r_dim, s_heads, s_dim, dc, hid=192, blocks=2):
        super().__init__(r_heads, r_dim, s_heads, s_dim, hid, blocks)
        self.inp = nn.Linear(r_heads * r_dim + s_heads * s_dim + dc, hid)

    def forward(self, r, s, c):
        Bn, T = r.shape[0], r.shape[2]
        x = torch.cat([r.transpose(1, 2).reshape(Bn, T, -1), s.transpose(1, 2).reshape(Bn, T, -1), c], dim=-1)
        h = self.inp(x)
        for n, a, b in zip(self.norms, self.fc1, self.fc2):
            h = h + b(F.silu(a(n(h))))
        h = self.onorm(h)
        d = self.proj(h).view(Bn, T, self.rh, self.rd)
        return (d * torch.sigmoid(self.wt(h)).unsqueeze(-1)).transpose(1, 2)


class WindowFuser(FZ.Fuser):
    def __init__(self, rcfg, scfg, layer_map, window):
        super().__init__(rcfg, scfg, layer_map)
        a = (rcfg["num_key_value_heads"], rcfg["head_size"], scfg["num_key_value_heads"], scfg["head_size"])
        rf, sf = a[0] * a[1], a[2] * a[3]
        self.pool = nn.ModuleList([WindowPool(rf, sf, window) for _ in layer_map])
        self.kp = nn.ModuleList([CtxPath(*a, dc=96) for _ in layer_map])
        self.vp = nn.ModuleList([CtxPath(*a, dc=96) for _ in layer_map])
        self.full = None  # (sharer past, alignment) of the current batch, handed over by FZ.fused_past

    def see_sharer(self, spast, aln):
        self.full = (spast, aln)

    def forward(self, rpast, skv):
        spast, aln = self.full
        g = self.gates()
        out = []
        for i, (rl, sl) in enumerate(self.layer_map):
            rk, rv = rpast[rl]
            sk, sv = skv[sl]
            c = self.pool[i](rk, sk, spast[sl][0], spast[sl][1], aln)
            out.append((rk + g[i] * self.kp[i](rk, sk, c), rv + g[i] * self.vp[i](rv, sv, c)))
        return out


def main():
    window = int(sys.argv[1])
    args = B.parser().parse_args([])
    if len(sys.argv) > 2:
        args.fuser_steps = int(sys.argv[2])
    w = W.World()
    toks = B.load_toks()
    rx, _ = S.load_model("rx")
    sx, _ = S.load_model("sx")
    torch.manual_seed(44)
    fz = WindowFuser(nets.RX_CONFIG, nets.SX_CONFIG, S.layer_map(), window).to(C.DEV)
    opt = torch.optim.AdamW(fz.parameters(), lr=1e-3, weight_decay=0.01)
    t0 = time.time()
    fz, _ = S.train_fuser(args, w, rx, sx, toks, "first", args.fuser_steps, fz=fz, opt=opt)
    sec = time.time() - t0
    fz.eval()
    val = B.evalset("context-val")
    res = {"window": window, "steps": args.fuser_steps, "sec": round(sec), "sharer": "training/.cache/sx.pt"}
    for form in ("script", "plain"):
        rows = [r for r in val if r["form"] == form]
        acc200, _ = S.c2c_acc(rx, sx, fz, toks, rows[:args.fuser_val], "first")
        res[f"val_{form}_first{args.fuser_val}"] = acc200
        if form == "script":  # by the number of values of the asked kind in the passage (all 300 val passages)
            pred = FZ.c2c_generate(rx, sx, fz, toks[0], toks[1], [r["prompt"] for r in rows], "first")
            ok = [p.strip() == r["answer"] for p, r in zip(pred, rows)]
            cands = [sum(1 for v in w.values[r["attribute"]]
                         if S.in_passage(w, v, r["prompt"].split(" Question: ")[0], "script")) for r in rows]
            res["val_script_all"] = sum(ok) / len(ok)
            res["by_candidates"] = {str(n): {"n": c[1], "c2c": round(c[0] / c[1], 3), "chance": round(1 / n, 3)}
                                    for n, c in sorted(accuracy_by(cands, ok).items()) if n > 0}
    print(json.dumps(res))
    json.dump(res, open(os.path.join(HERE, "results", f"fuser-window-{window}.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
