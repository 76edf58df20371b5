#!/usr/bin/python3
"""Is C2C the sharer's answer handed over, or the receiver reading fused facts, and does it bind? On the test script
passages: the 2x2 of sharer-correct x C2C-correct, how often the two give the same answer, accuracy per asked
attribute, and accuracy by the number of values of the asked attribute in the passage (with n of them, a random
pick among them is right 1/n). Needs the cached rx, sx and fuser-first checkpoints of a build (training/.cache/).
usage: training/experiments/c2c_overlap.py [test|val]   (LL_CACHE: another build's cache)"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import build as B  # noqa: E402
import common as C  # noqa: E402
import fuser as FZ  # noqa: E402
import stages2 as S  # noqa: E402
import world as W  # noqa: E402


def accuracy_by(keys, correct):
    """{key: [right, n]}"""
    out = {}
    for k, ok in zip(keys, correct):
        d = out.setdefault(k, [0, 0])
        d[0] += ok
        d[1] += 1
    return out


def main():
    w = W.World()
    toks = B.load_toks()
    rx, _ = S.load_model("rx")
    sx, _ = S.load_model("sx")
    strategy = sys.argv[2] if len(sys.argv) > 2 else "first"  # the alignment the cached fuser was trained with
    fz = S.load_fuser(strategy)
    rows = B.evalset("context-" + (sys.argv[1] if len(sys.argv) > 1 else "test"), "script")
    prompts, answers = [r["prompt"] for r in rows], [r["answer"] for r in rows]
    by_sharer = C.greedy(sx, toks[1], prompts)
    by_c2c = FZ.c2c_generate(rx, sx, fz, toks[0], toks[1], prompts, strategy)
    sc = [p.strip() == a for p, a in zip(by_sharer, answers)]
    cc = [p.strip() == a for p, a in zip(by_c2c, answers)]
    pairs = list(zip(sc, cc))
    tab = {"both": sum(a and c for a, c in pairs), "sharer_only": sum(a and not c for a, c in pairs),
           "c2c_only": sum(c and not a for a, c in pairs), "neither": sum(not a and not c for a, c in pairs),
           "same_answer": sum(x.strip() == y.strip() for x, y in zip(by_sharer, by_c2c)), "n": len(rows)}
    attrs = [r["attribute"] for r in rows]
    tab["c2c_by_attribute"] = {k: f"{r}/{n}" for k, (r, n) in accuracy_by(attrs, cc).items()}
    tab["sharer_by_attribute"] = {k: f"{r}/{n}" for k, (r, n) in accuracy_by(attrs, sc).items()}
    cands = [sum(1 for v in w.values[r["attribute"]]
                 if S.in_passage(w, v, r["prompt"].split(" Question: ")[0], "script")) for r in rows]
    sh, c2 = accuracy_by(cands, sc), accuracy_by(cands, cc)
    tab["by_candidates"] = {str(n): {"n": sh[n][1], "sharer": round(sh[n][0] / sh[n][1], 3),
                                     "c2c": round(c2[n][0] / c2[n][1], 3), "chance": round(1 / n, 3)}
                            for n in sorted(sh) if n > 0}
    print(json.dumps(tab))


if __name__ == "__main__":
    main()
