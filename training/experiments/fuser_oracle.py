#!/usr/bin/python3
"""Where does C2C lose the owner? The receiver answers a script question from a cache built three ways, on the val
script passages (with their plain twins):
  none    - its own cache of the script (receiver alone);
  oracle  - the fuser's distillation target: its own cache of the plain twin, gathered at the plain token that holds
            the last character of each script token (fuser.plain_targets), i.e. a perfect per-token fuser;
  fuser   - the committed fuser's output;
and hybrids that take one layer's K or V (or all K / all V) from the oracle and the rest from the fuser. If the
oracle answers and the fuser does not, the loss is in the fuser's mapping; the hybrids say which layer and which of
K / V must carry what it misses (a binding receiver matches the asked name against the owner written on a value's
key). Also prints the mean scaled distance of the fuser's K/V to the oracle's per layer.
usage: LL_CACHE=... [LL_REROTATE=1] [LL_ALIGN=first|last] [LL_TAG=name] training/experiments/fuser_oracle.py [N] [FUSER_CKPT]"""
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

REROT = os.environ.get("LL_REROTATE", "0") == "1"
ALIGN = os.environ.get("LL_ALIGN", "first")  # the alignment the fuser was trained with


class Fixed:
    """stands in for a fuser inside fuser.fused_past: returns a past picked per layer from precomputed ones."""

    def __init__(self, layer_map, pick):
        self.layer_map, self.pick = layer_map, pick

    def __call__(self, rpast, g):
        return self.pick(rpast, g)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    ck = sys.argv[2] if len(sys.argv) > 2 else os.path.join(C.CACHE, "fuser-first.pt")
    torch.set_num_threads(int(os.environ.get("LL_THREADS", "1")))
    toks = B.load_toks()
    rx, _ = stages2.load_model("rx")
    sx, _ = stages2.load_model("sx")
    fz = FZ.Fuser(stages2.CFG["rx"], stages2.CFG["sx"], stages2.layer_map())
    fz.load_state_dict(torch.load(ck)["state"])
    fz.eval()
    rows = B.evalset("context-val")
    plain = {r["id"][:-len("-plain")]: r for r in rows if r["form"] == "plain"}
    script = [r for r in rows if r["form"] == "script"][:n]
    twins = [plain[r["id"][:-len("-script")]]["prompt"] for r in script]
    lm = fz.layer_map
    nl = len(lm)

    def run(choose):
        """choose(layer, 'k'|'v') -> 'none'|'oracle'|'fuser'; accuracy over the script rows."""
        preds = []
        for b0 in range(0, len(script), 64):
            ps = [r["prompt"] for r in script[b0:b0 + 64]]
            qs = twins[b0:b0 + 64]

            def pick(rpast, g, ps=ps, qs=qs):
                with torch.no_grad():
                    fused = fz(rpast, g)
                    tgt = FZ.plain_targets(rx, toks[0], ps, qs, rpast[0][0].shape[2], REROT)
                out = []
                for i, (rl, _) in enumerate(lm):
                    src = {"none": rpast[rl], "oracle": tgt[rl], "fuser": fused[i]}
                    out.append((src[choose(i, "k")][0], src[choose(i, "v")][1]))
                return out
            preds += FZ.c2c_generate(rx, sx, Fixed(lm, pick), toks[0], toks[1], ps, ALIGN)
        return C.accuracy(preds, [r["answer"] for r in script])

    res = {}
    variants = {"none": lambda i, kv: "none", "oracle": lambda i, kv: "oracle", "fuser": lambda i, kv: "fuser",
                "oracle K, fuser V": lambda i, kv: "oracle" if kv == "k" else "fuser",
                "fuser K, oracle V": lambda i, kv: "fuser" if kv == "k" else "oracle"}
    for L in range(nl):
        variants[f"fuser + oracle K at L{L}"] = lambda i, kv, L=L: "oracle" if (kv == "k" and i == L) else "fuser"
        variants[f"fuser + oracle V at L{L}"] = lambda i, kv, L=L: "oracle" if (kv == "v" and i == L) else "fuser"
        variants[f"oracle except fuser K at L{L}"] = lambda i, kv, L=L: "fuser" if (kv == "k" and i == L) else "oracle"
    for name, ch in variants.items():
        res[name] = run(ch)
        print(f"{name:32s} {res[name]:.4f}", flush=True)
    # how far the fuser's output is from the oracle, per layer (the distillation loss's terms)
    d = FZ.prepare(toks[0], toks[1], [r["prompt"] for r in script[:64]], ALIGN)
    with torch.no_grad():
        past, pam = FZ.fused_past(rx, sx, fz, d)
        tgt = FZ.plain_targets(rx, toks[0], [r["prompt"] for r in script[:64]], twins[:64], pam.shape[1], REROT)
        own, _ = FZ.fused_past(rx, sx, None, d)
    m = pam.float()[:, None, :, None]
    dist = {}
    for i, (rl, _) in enumerate(lm):
        for j, kv in enumerate("kv"):
            t = tgt[rl][j]
            for nm, f in (("fuser", past[i][j]), ("none", own[rl][j])):
                e = (((f - t) ** 2) * m).sum() / (m.sum() * f.shape[1] * f.shape[3]) / (t.var() + 1e-6)
                dist[f"L{i} {kv} {nm}"] = round(float(e), 4)
    print(json.dumps(dist))
    out = os.path.join(HERE, "results", f"fuser-oracle-{os.environ.get('LL_TAG', 'committed')}.json")
    json.dump({"n": len(script), "accuracy": res, "scaled_mse_to_oracle": dist}, open(out, "w"), indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
