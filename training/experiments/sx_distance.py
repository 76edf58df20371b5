#!/usr/bin/python3
"""Does the sharer's accuracy fall with the distance between the asked person's name in the passage and the
question? With RoPE theta 500 on 16-wide heads, only the slowest rotated pair stays near-constant over ~200 bytes,
so matching the question's name to a name far back in the passage has few position-free dims to work with.
Splits the val script passages by the asked person's place among the passage's sentences (1st, 2nd, 3rd) and
reports the sharer's accuracy and the mean byte distance for each.
usage: training/experiments/sx_distance.py [CKPT] [SHAPE] [ROTARY_DIM]   (default: training/.cache/sx.pt, committed shape)"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402


def main():
    ck = sys.argv[1] if len(sys.argv) > 1 else os.path.join(C.CACHE, "sx.pt")
    if len(sys.argv) > 2:
        nets.set_sx_shape(sys.argv[2])
    if len(sys.argv) > 3:
        nets.set_sx_rotary_dim(int(sys.argv[3]))
    toks = B.load_toks()
    m = nets.make("gpt2", nets.SX_CONFIG)
    m.load_state_dict(torch.load(ck, map_location="cpu")["model"])
    m.eval()
    script = B.evalset("context-val", "script")
    plain = {r["id"].rsplit("-", 1)[0]: r for r in B.evalset("context-val", "plain")}
    outs = C.greedy(m, toks[1], [r["prompt"] for r in script])
    groups = {}
    for r, out in zip(script, outs):
        p = plain[r["id"].rsplit("-", 1)[0]]["prompt"]
        passage = p[len("Context: "):p.index(" Question:")]
        sentences = [s.strip() for s in passage.split(". ") if s.strip()]
        place = next(i for i, s in enumerate(sentences) if s.startswith(r["person"])) + 1
        dist = p.index(" Question:") - p.index(r["person"])
        key = f"{place} of {len(sentences)}"
        g = groups.setdefault(key, {"n": 0, "correct": 0, "dist": 0})
        g["n"] += 1
        g["correct"] += int(C.accuracy([out], [r["answer"]]) == 1.0)
        g["dist"] += dist
    rows = {k: {"n": g["n"], "accuracy": round(g["correct"] / g["n"], 3), "mean_bytes_back": round(g["dist"] / g["n"])}
            for k, g in sorted(groups.items())}
    print(json.dumps({"checkpoint": ck, "config": nets.SX_CONFIG, "by_place": rows}, indent=1))


if __name__ == "__main__":
    main()
