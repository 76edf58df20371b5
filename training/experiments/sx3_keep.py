#!/usr/bin/python3
"""Does phase c keep text relay when part of its batches are the tasks the owner objective costs (plain context,
relay in the script and in plain text; build.py --sx3-keep-share)? Runs build.py's phase c (train_sx3) from
$LL_CACHE/sx-b.pt with the given flags and, at every val pass, also measures text relay on val script passages (the
cached rx answering from the sharer's sentence) and keeps that checkpoint, so that choosing phase c's checkpoint on
script + relay can be judged afterwards. Val only; nothing here touches test.
usage: LL_CACHE=<scratch cache with rx.pt, sx-b.pt and no sx-c.pt> sx3_keep.py TAG [build.py flags...]
writes results/sx3-keep-TAG.json and $LL_CACHE/sx-c-TAG-<step>.pt"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import stages2  # noqa: E402
import world as W  # noqa: E402


def main():
    tag, flags = sys.argv[1], sys.argv[2:]
    torch.set_num_threads(int(os.environ.get("LL_THREADS", "1")))
    args = B.parser().parse_args(flags)
    if os.path.exists(os.path.join(C.CACHE, "sx-c.pt")):
        raise SystemExit(f"{C.CACHE}/sx-c.pt exists: phase c would come from the cache")
    w = W.World()
    toks = B.load_toks()
    rx, _ = stages2.load_model("rx")
    b = nets.make("gpt2", nets.SX_CONFIG)
    b.load_state_dict(torch.load(os.path.join(C.CACHE, "sx-b.pt"), map_location="cpu")["model"])
    b.to(C.DEV)
    val = B.evalset("context-val", "script")
    curve = []

    def on_eval(step, m, acc):
        relay = stages2.relay(rx, m, toks, val)[0]
        curve.append({"step": step, "val_script": round(acc, 4), "relay_script": round(relay, 4)})
        torch.save({"model": {k: v.detach().cpu().clone() for k, v in m.state_dict().items()}, "val": acc,
                    "relay": relay, "step": step, "final": True, "config": stages2.CFG["sx"]},
                   os.path.join(C.CACHE, f"sx-c-{tag}-{step}.pt"))
        B.log(f"{tag} step {step}: val script {acc:.4f} relay script {relay:.4f}")

    B.train_sx3(args, w, toks, b, val, 250, on_eval)
    out = {"flags": flags, "curve": curve}
    path = os.path.join(HERE, "results", f"sx3-keep-{tag}.json")
    json.dump(out, open(path, "w"), indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
