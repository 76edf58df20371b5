#!/usr/bin/python3
"""Where in the prompt does the receiver bind: at the passage's positions or at the question's? fuser_oracle.py
showed that the turned distillation target (the receiver's own cache of the plain twin, keys turned to the fused
positions) answers 96% of val script questions while the fuser answers ~57%. Here each val script prompt's fused
prefix is split in two regions, the passage (every receiver token that starts before ' Question:') and the question
(the rest of the prefix), and the cache of each region is taken from the target, the fuser or the receiver's own
prefill of the script. The 'fresh' variants keep only the passage's cache and let the receiver prefill the question
itself on top of it, as it does when it reads a plain passage: if they answer where the fused question does not,
the binding the receiver needs happens at the question's positions, where a per-token fuser cannot supply it.
usage: LL_CACHE=... [LL_ALIGN=first|last] [LL_TAG=name] training/experiments/fuser_where.py [N] [FUSER_CKPT]"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import bpe  # noqa: E402
import build as B  # noqa: E402
import common as C  # noqa: E402
import fuser as FZ  # noqa: E402
import stages2  # noqa: E402

ALIGN = os.environ.get("LL_ALIGN", "first")


@torch.no_grad()
def greedy(rx, past, ids, start, rtok, max_new=16):
    """run ids (1-d list) on top of past (every position valid) from position start, then decode greedily."""
    nl = set(i for s, i in rtok.vocab.items() if "Ċ" in s)
    n_past = past[0][0].shape[2]
    x = torch.tensor([ids])
    am = torch.ones(1, n_past + len(ids), dtype=torch.long)
    pos = torch.arange(start, start + len(ids)).unsqueeze(0)
    logits, past = rx(x, am, pos, past)
    out = []
    for _ in range(max_new):
        t = int(logits[0, -1].argmax())
        if t == bpe.EOS or t in nl:
            break
        out.append(t)
        am = torch.ones(1, am.shape[1] + 1, dtype=torch.long)
        pos = pos[:, -1:] + 1
        logits, past = rx(torch.tensor([[t]]), am, pos, past)
    return rtok.decode(out).strip()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    ck = sys.argv[2] if len(sys.argv) > 2 else os.path.join(C.CACHE, "fuser-first.pt")
    torch.set_num_threads(int(os.environ.get("LL_THREADS", "1")))
    toks = B.load_toks()
    rtok = toks[0]
    rx, _ = stages2.load_model("rx")
    sx, _ = stages2.load_model("sx")
    fz = FZ.Fuser(stages2.CFG["rx"], stages2.CFG["sx"], stages2.layer_map())
    fz.load_state_dict(torch.load(ck)["state"])
    fz.eval()
    rows = B.evalset("context-val")
    plain = {r["id"][:-len("-plain")]: r for r in rows if r["form"] == "plain"}
    script = [r for r in rows if r["form"] == "script"][:n]
    lm = fz.layer_map
    variants = ["none", "oracle", "fuser",
                "oracle passage + fuser question", "fuser passage + oracle question",
                "oracle passage + none question",
                "oracle passage, fresh question", "fuser passage, fresh question", "none passage, fresh question"]
    preds = {v: [] for v in variants}
    for r in script:
        p, q = r["prompt"], plain[r["id"][:-len("-script")]]["prompt"]
        d = FZ.prepare(rtok, toks[1], [p], ALIGN)
        with torch.no_grad():
            fused, pam = FZ.fused_past(rx, sx, fz, d)
            own, _ = FZ.fused_past(rx, sx, None, d)
            tgt = FZ.plain_targets(rx, rtok, [p], [q], pam.shape[1], True)
        ids, offs = C.encode(rtok, p)
        qc = p.index(" Question:")
        n_pass = sum(1 for st, en in offs[:-1] if st < qc or en <= st)  # BOS counts as passage
        src = {"none": [own[rl] for rl, _ in lm], "oracle": [tgt[rl] for rl, _ in lm], "fuser": fused}

        def mix(a, b):
            return [tuple(torch.cat([x[:, :, :n_pass], y[:, :, n_pass:]], 2) for x, y in zip(pa, pb))
                    for pa, pb in zip(src[a], src[b])]

        last = ids[-1]
        for v in variants:
            if ", fresh question" in v:
                kind = v.split(" ")[0]
                past = [tuple(t[:, :, :n_pass] for t in kv) for kv in src[kind]]
                preds[v].append(greedy(rx, past, ids[n_pass:], n_pass, rtok))
                continue
            if " + " in v:
                a, b = v.split(" + ")
                past = mix(a.split(" ")[0], b.split(" ")[0])
            else:
                past = src[v]
            preds[v].append(greedy(rx, [tuple(t for t in kv) for kv in past], [last], len(ids) - 1, rtok))
    answers = [r["answer"] for r in script]
    res = {v: C.accuracy(preds[v], answers) for v in variants}
    for v in variants:
        print(f"{v:36s} {res[v]:.4f}", flush=True)
    out = os.path.join(HERE, "results", f"fuser-where-{os.environ.get('LL_TAG', 'committed')}.json")
    json.dump({"n": len(script), "align": ALIGN, "fuser": ck, "accuracy": res}, open(out, "w"), indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
