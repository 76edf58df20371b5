#!/usr/bin/python3
"""Does the fuser fail to generalise to new people, or fail on the people it was trained on as well? C2C on fresh
script passages drawn exactly like the val eval set (context_item, ks 2-3) but about train-split people (the people
of the fuser's training passages; the attributes are drawn afresh, so no passage was seen), beside the same count of
val passages. A large gap says the fuser memorised the training people's names (data: more people would help); none
says it is the mapping itself that falls short.
usage: LL_CACHE=... training/experiments/c2c_train_split.py [N] [first|last] [FUSER_CKPT]"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402

import build as B  # noqa: E402
import common as C  # noqa: E402
import fuser as FZ  # noqa: E402
import stages2 as S  # noqa: E402
import world as W  # noqa: E402


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    strategy = sys.argv[2] if len(sys.argv) > 2 else "first"
    torch.set_num_threads(int(os.environ.get("LL_THREADS", "1")))
    w = W.World()
    toks = B.load_toks()
    rx, _ = S.load_model("rx")
    sx, _ = S.load_model("sx")
    if len(sys.argv) > 3:
        fz = S.load_fuser_file(sys.argv[3])
    else:
        fz = S.load_fuser(strategy)
    rng = random.Random(909)  # not a seed any training or eval set uses
    train = [w.context_item(rng, "train") for _ in range(n)]
    sets = {"train": ([w.ctx_prompt(it["passage_script"], it["question"]) for it in train],
                      [it["answer"] for it in train]),
            "val": tuple(zip(*[(r["prompt"], r["answer"]) for r in B.evalset("context-val", "script")[:n]]))}
    res = {}
    for name, (prompts, answers) in sets.items():
        preds = FZ.c2c_generate(rx, sx, fz, toks[0], toks[1], list(prompts), strategy)
        res[name] = round(C.accuracy(preds, answers), 4)
        print(name, res[name], flush=True)
    out = os.path.join(HERE, "results", f"c2c-train-split-{os.environ.get('LL_TAG', 'committed')}.json")
    json.dump({"n": n, "align": strategy, "script_accuracy": res}, open(out, "w"), indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
