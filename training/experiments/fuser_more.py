#!/usr/bin/python3
"""Is the fuser short of steps? Continues the cached fuser (LL_CACHE's fuser-<alignment>.pt) for MORE steps with
the fuser stage's loop and flags, as if the run had been planned for 1,200 + MORE steps from the start (learning
rate and temperature schedules read at steps 1,201..1,200 + MORE; a fresh AdamW), then reports val script / plain
on the stage's 200 passages. Writes fuser-<alignment>-more.pt beside the cache's fuser.
usage: LL_CACHE=... training/experiments/fuser_more.py MORE [build.py fuser flags, e.g. --fuser-alignment last
--fuser-distill-keys rerotated]"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import stages2 as S  # noqa: E402
import world as W  # noqa: E402


def main():
    more = int(sys.argv[1])
    args = B.parser().parse_args(sys.argv[2:])
    torch.set_num_threads(int(os.environ.get("LL_THREADS", "2")))
    w, toks = W.World(), B.load_toks()
    rx, _ = S.load_model("rx")
    sx, _ = S.load_model("sx")
    strategy = args.fuser_alignment
    fz = S.load_fuser(strategy)
    for p in fz.parameters():
        p.requires_grad_(True)
    done = args.fuser_steps
    args.fuser_steps = done + more
    opt = torch.optim.AdamW(fz.parameters(), lr=1e-3, weight_decay=0.01)
    fz, _ = S.train_fuser(args, w, rx, sx, toks, strategy, done + more, steps_from=done, fz=fz, opt=opt)
    val = B.evalset("context-val")
    vs = [r for r in val if r["form"] == "script"][:args.fuser_val]
    vp = [r for r in val if r["form"] == "plain"][:args.fuser_val]
    a_s, _ = S.c2c_acc(rx, sx, fz, toks, vs, strategy)
    a_p, _ = S.c2c_acc(rx, sx, fz, toks, vp, strategy)
    S.log(f"fuser after {done + more} steps ({strategy}): val script {a_s:.4f} plain {a_p:.4f}")
    torch.save({"state": fz.state_dict()}, os.path.join(C.CACHE, f"fuser-{strategy}-more.pt"))


if __name__ == "__main__":
    main()
