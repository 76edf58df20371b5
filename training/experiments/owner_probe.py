#!/usr/bin/python3
"""Does a model's K/V at a value word carry *whose* value it is? A fuser is per token: to let the receiver match
the asked name against a value in the script, the sharer's K/V at that value must already hold its owner's name.
Linear probes (softmax regression on standardized K|V of one layer) predict the owner's first name and last name
(110 classes each, chance ~0.9%) from the last byte/token of each city word. Train on train-split passages, report
on val-split passages. sx reads script passages; rx reads plain ones (its 99% binding is the reference).
rx on script passages asks whether the receiver's own (unreadable) K/V at the city carry the enciphered owner: the
fuser sees those too.
`fused` probes the committed fuser's output (rx's cache of the script passage after fusion; CKPT = the fuser
checkpoint, e.g. training/.cache/fuser-first.pt; rx and sx from the cache).
usage: training/experiments/owner_probe.py sx|rx|fused CKPT [NTRAIN] [NVAL] [script|plain]"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import bpe  # noqa: E402
import build as B  # noqa: E402
import common as C  # noqa: E402
import fuser as FZ  # noqa: E402
import nets  # noqa: E402
import stages2  # noqa: E402
import world as W  # noqa: E402


def samples(w, split, n, seed, form):
    """(prompt, [(char index of the city word's last char, first-name idx, last-name idx)])."""
    rng = random.Random(seed)
    out, k = [], 0
    while k < n:
        it = w.context_item(rng, split)
        psg = it["passage_" + form]
        prompt = w.ctx_prompt(psg, it["question"])
        marks, at = [], len("Context: ")
        for sent in it["passage_plain"].split(". "):
            sent = sent.rstrip(".")
            person = " ".join(sent.split()[:2])
            if " lives in " in sent:
                city = sent.split(" lives in ")[1].split(",")[0]
                ci = at + sent.index(" lives in ") + len(" lives in ") + len(city) - 1
                fn, ln = person.split()
                marks.append((ci, w.first.index(fn), w.last.index(ln)))
            at += len(sent) + 2
        if marks:
            out.append((prompt, marks))
            k += len(marks)
    return out


def feats(model, mid, tok, data):
    """per layer: K|V rows at the marked positions, and the labels."""
    X, yf, yl = None, [], []
    for b0 in range(0, len(data), 64):
        ch = data[b0:b0 + 64]
        if mid == "fused":
            d = FZ.prepare(tok[0], tok[1], [p for p, _ in ch], os.environ.get("LL_ALIGN", "first"))
            with torch.no_grad():
                pres, _ = FZ.fused_past(model[0], model[1], model[2], d)
            pos_of = []
            for p, m in ch:
                _, offs = C.encode(tok[0], p)
                pos_of.append([next(j for j, (s, e) in enumerate(offs) if s <= ci < e) for ci, _, _ in m])
            seqs = None
        elif mid == "sx":
            seqs = [[bpe.BOS] + tok.encode(p) for p, _ in ch]
            pos_of = [[ci + 1 for ci, _, _ in m] for _, m in ch]  # +1: BOS
        else:
            seqs, pos_of = [], []
            for p, m in ch:
                ids, offs = C.encode(tok, p)
                seqs.append(ids)
                pos_of.append([next(j for j, (s, e) in enumerate(offs) if s <= ci < e) for ci, _, _ in m])
        if seqs is not None:
            ids, am = C.pad_right(seqs)
            pos = torch.arange(ids.shape[1]).unsqueeze(0).expand(len(ch), -1)
            with torch.no_grad():
                _, pres = model(ids, am, pos)
        if X is None:
            X = [[] for _ in pres]
        for j, (_, m) in enumerate(ch):
            for q, (_, f, l) in zip(pos_of[j], m):
                for li, (k, v) in enumerate(pres):
                    X[li].append(torch.cat([k[j, :, q].flatten(), v[j, :, q].flatten()]))
                yf.append(f)
                yl.append(l)
    nl = len(X)
    return [torch.stack(X[li]) for li in range(nl)], torch.tensor(yf), torch.tensor(yl)


def main():
    mid, ck = sys.argv[1], sys.argv[2]
    ntr = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    nva = int(sys.argv[4]) if len(sys.argv) > 4 else 600
    w = W.World()
    toks = B.load_toks()
    if mid == "fused":
        fz = FZ.Fuser(nets.RX_CONFIG, nets.SX_CONFIG, stages2.layer_map())
        fz.load_state_dict(torch.load(ck, map_location="cpu")["state"])
        m = (stages2.load_model("rx")[0], stages2.load_model("sx")[0], fz.eval())
        tok = toks
    else:
        cfg = nets.SX_CONFIG if mid == "sx" else nets.RX_CONFIG
        m = nets.make(cfg["type"], cfg)
        m.load_state_dict(torch.load(ck, map_location="cpu")["model"])
        m.eval()
        tok = toks[1] if mid == "sx" else toks[0]
    form = sys.argv[5] if len(sys.argv) > 5 else ("plain" if mid == "rx" else "script")
    Xa, fa, la = feats(m, mid, tok, samples(w, "train", ntr, 505, form))
    Xb, fb, lb = feats(m, mid, tok, samples(w, "val", nva, 606, form))
    def probe(a, ya, b, yb, ncls):  # the settings results/owner-probe-*.json were made with
        return stages2.linear_probe(a, ya, b, yb, ncls, steps=300, weight_decay=1e-3)
    table = {f"L{li}": {"first_name": probe(Xa[li], fa, Xb[li], fb, len(w.first)),
                        "last_name": probe(Xa[li], la, Xb[li], lb, len(w.last))} for li in range(len(Xa))}
    out = {"model": mid, "checkpoint": ck, "form": form, "n_train": len(fa), "n_val": len(fb),
           "chance_first": round(float(torch.bincount(fb).max()) / len(fb), 4),
           "chance_last": round(float(torch.bincount(lb).max()) / len(lb), 4), "table": table}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
