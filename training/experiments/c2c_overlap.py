#!/usr/bin/python3
"""Is C2C the sharer's answer handed over, or the receiver reading fused facts? On the test script passages: the
2x2 of sharer-correct x C2C-correct, how often the two give the same answer, and accuracy per asked attribute.
Needs the cached rx, sx and fuser-first checkpoints of a build (training/.cache/).
usage: training/experiments/c2c_overlap.py"""
import json
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import build as B, stages2 as S, common as C, fuser as FZ
toks = B.load_toks()
rx,_ = S.load_model("rx"); sx,_ = S.load_model("sx"); fz = S.load_fuser("first")
rows = B.evalset("context-test", "script")
P = [r["prompt"] for r in rows]; A = [r["answer"] for r in rows]
ps = C.greedy(sx, toks[1], P)
pc = FZ.c2c_generate(rx, sx, fz, toks[0], toks[1], P, "first")
sc = [p.strip()==a for p,a in zip(ps,A)]; cc = [p.strip()==a for p,a in zip(pc,A)]
same = sum(x.strip()==y.strip() for x,y in zip(ps,pc))
tab = {"both": sum(a and b for a,b in zip(sc,cc)), "sharer_only": sum(a and not b for a,b in zip(sc,cc)),
       "c2c_only": sum(b and not a for a,b in zip(sc,cc)), "neither": sum(not a and not b for a,b in zip(sc,cc)),
       "same_answer": same, "n": len(rows)}
by = {}
for r, c in zip(rows, cc):
    d = by.setdefault(r["attribute"], [0,0]); d[0]+=c; d[1]+=1
tab["c2c_by_attribute"] = {k: f"{v[0]}/{v[1]}" for k,v in by.items()}
by = {}
for r, c in zip(rows, sc):
    d = by.setdefault(r["attribute"], [0,0]); d[0]+=c; d[1]+=1
tab["sharer_by_attribute"] = {k: f"{v[0]}/{v[1]}" for k,v in by.items()}
# how many values of the asked attribute the passage shows: with n of them, picking one at random is right 1/n
import world as W
w = W.World()
split = {}
for r, a_ok, c_ok in zip(rows, sc, cc):
    psg = r["prompt"].split(" Question: ")[0]
    n = sum(1 for v in w.values[r["attribute"]] if S.in_passage(w, v, psg, "script"))
    d = split.setdefault(n, [0, 0, 0])
    d[0] += a_ok
    d[1] += c_ok
    d[2] += 1
tab["by_candidates"] = {str(n): {"n": t, "sharer": round(a / t, 3), "c2c": round(c / t, 3), "chance": round(1 / n, 3)}
                        for n, (a, c, t) in sorted(split.items()) if n > 0}
print(json.dumps(tab))
