#!/usr/bin/python3
"""Three cheap levers on rx's binding plateau, from the literature on loss plateaus before induction / associative
recall circuits form (session 11; sources in experiments/README.md). rx phase a from scratch exactly as build.py
(lr 2e-3, batch 32, reverse share 1/3, 3 questions per passage, the given seed), changed only by the flags:

  contested   training questions only about attributes that at least two people of the passage show, and no
              1-person passages. With each fact shown at p = 0.75 and a third of the passages about one person,
              27% of the recipe's question candidates have a single value of the asked kind in the passage: they
              reward copying and carry no binding signal ("marginals before conditionals": the model first learns the name-blind answer
              and sits at log K). The passages themselves are drawn as before; only which questions are asked changes.
  qk=G        the q/k-norm gains start at G instead of 1. With q and k RMS-normalised, a head-32 attention logit is
              at most sqrt(32) * gain_q * gain_k ~ 5.7 at initialisation, too flat to pick one value among ~100
              tokens until the gains grow; scaling attention scores up shortened the plateau in Gopalani & Hu 2025.
  std=S       every linear layer initialised N(0, S) (the output projections o and down S / sqrt(2 * layers)),
              instead of PyTorch's default (uniform, std ~0.05 for fan-in 128): smaller initialisation favoured
              compositional solutions in Zhang et al. 2024.
Phase b: init=CKPT (continue from a checkpoint's weights) with lr=1e-3 lmw=0.05 is build.py's phase b.
usage: training/experiments/rx_levers.py STEPS SEED FLAG..."""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import nets  # noqa: E402
import torch  # noqa: E402
import world as W  # noqa: E402


def main():
    steps, seed, flags = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    opts = dict(f.split("=") if "=" in f else (f, "1") for f in flags)
    w = W.World()
    make = nets.make

    def make_with(kind, c):
        m = make(kind, c)
        if "qk" in opts:
            for layer in m.layers:
                torch.nn.init.constant_(layer.qn.weight, float(opts["qk"]))
                torch.nn.init.constant_(layer.kn.weight, float(opts["qk"]))
        if "std" in opts:
            s = float(opts["std"])
            for layer in m.layers:
                for name in ("q", "k", "v", "gate", "up"):
                    torch.nn.init.normal_(getattr(layer, name).weight, std=s)
                for name in ("o", "down"):
                    torch.nn.init.normal_(getattr(layer, name).weight, std=s / math.sqrt(2 * len(m.layers)))
        return m
    nets.make = make_with

    class Args:
        retrain = True
    toks = B.load_toks()
    val = B.evalset("context-val", "plain")
    if "contested" in opts:
        fn = lambda rng: [B.multi_qa(w, rng, "plain", p_rev=1 / 3, contested=True) for _ in range(32)]  # noqa: E731
    else:
        fn = lambda rng: [B.multi_qa(w, rng, "plain", p_rev=1 / 3) for _ in range(32)]  # noqa: E731
    init = None
    if "init" in opts:
        init = nets.make("llama", nets.RX_CONFIG)
        init.load_state_dict(torch.load(opts["init"], map_location="cpu")["model"])
    name = "exp-rx-levers-" + "-".join(f.replace("=", "").replace("/", "_") for f in flags if not f.startswith("init"))
    name += f"-s{seed}" + ("-b" if init is not None else "")
    B.train_lm(Args, w, name, nets.RX_CONFIG, toks[0], fn, val, steps, float(opts.get("lr", 2e-3)), init=init,
               target=0.995, seed=seed, lm_weight=float(opts.get("lmw", 0.2)))


if __name__ == "__main__":
    main()
