#!/usr/bin/python3
"""Which sharer keeps text relay >= 90%? The session-15 sharer (phase c with the owner objective at 0.5) reads the
script as well as before but relays worse (test: 89.0% script, 43.2% plain; 94.2 / 89.5% for the session-12 sharer).
For each sharer checkpoint given: its own accuracy and text relay's (the cached rx answering from the sharer's
sentence), on the val passages in the script and in plain text. Val only; nothing here touches test.
usage: LL_CACHE=... sx_relay_val.py NAME=SX_CKPT [NAME=SX_CKPT ...]   (rx from $LL_CACHE/rx.pt)"""
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


def load_sx(path):
    st = torch.load(path, map_location="cpu")
    m = nets.make("gpt2", nets.SX_CONFIG)
    m.load_state_dict(st["model"])
    return m.to(C.DEV).eval(), st.get("val")


def main():
    torch.set_num_threads(int(os.environ.get("LL_THREADS", "1")))
    toks = B.load_toks()
    rx, _ = stages2.load_model("rx")
    out = {}
    for arg in sys.argv[1:]:
        name, path = arg.split("=", 1)
        sx, val_ckpt = load_sx(path)
        res = {"checkpoint_val_script": val_ckpt}
        for form in ("script", "plain"):
            rows = B.evalset("context-val", form)
            ans = [r["answer"] for r in rows]
            res[f"sharer_{form}"] = round(C.accuracy(C.greedy(sx, toks[1], [r["prompt"] for r in rows]), ans), 4)
            res[f"relay_{form}"] = round(stages2.relay(rx, sx, toks, rows)[0], 4)
        out[name] = res
        print(name, res, flush=True)
    path = os.path.join(HERE, "results", "sx-relay-val-" + os.environ.get("LL_TAG", "x") + ".json")
    json.dump(out, open(path, "w"), indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
