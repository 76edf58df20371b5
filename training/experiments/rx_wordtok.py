#!/usr/bin/python3
"""Do whole-word name tokens make rx's binding reliable?  rx phase a from scratch exactly as build.py (lr 2e-3, batch
32, reverse share 1/3, the given seed), but with the receiver's BPE trained to VOCAB entries on build.py's corpus
(stage_data: 4,000 plain training prompts, seed 101) instead of 1,024.

Why: at 1,024 entries the BPE has 765 merges, and the corpus's 336 distinct words need 878 to become one token each.
The rarest words lose: 23 of the 110 first names and 28 of the 110 last names split into 2-6 pieces (" B" "in",
" R" "ak" "rel"), pieces that many names share; every city, job and food is one token. An rx that binds must
match the asked name against the passage's names, and about_eval.py found even the plain "find this name and copy
what follows" question at 59% on val for an rx trained on it (rx_about.py): the match of multi-piece names is what
fails. With VOCAB >= 1,137 every word of the corpus is one token.
The tokenizer and LinkQA files go to a scratch models folder (LL_MODELS, default /tmp/ll-models-VOCAB); the eval
sets are the committed ones (they do not depend on the tokenizer).
usage: training/experiments/rx_wordtok.py VOCAB STEPS [SEED] [ABOUT]"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VOCAB = int(sys.argv[1])
os.environ.setdefault("LL_MODELS", f"/tmp/ll-models-{VOCAB}")
sys.path.insert(0, os.path.dirname(HERE))
import bpe  # noqa: E402
import build as B  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def scratch_models(w):
    """the committed LinkQA files plus an rx tokenizer of VOCAB entries trained on stage_data's corpus."""
    if os.path.exists(os.path.join(C.MODELS, "rx", "tokenizer.json")):
        return
    import random
    rng = random.Random(101)
    texts = []
    for _ in range(4000):
        it = w.context_item(rng, "train", ks=(1, 2, 3))
        texts.append(w.ctx_prompt(it["passage_plain"], it["question"]) + " " + it["answer"])
    tok = bpe.Tokenizer.train(texts, VOCAB)
    os.makedirs(os.path.join(C.MODELS, "rx"), exist_ok=True)
    tok.save(os.path.join(C.MODELS, "rx", "tokenizer.json"))
    shutil.copytree(os.path.join(ROOT, "models", "linkqa"), os.path.join(C.MODELS, "linkqa"))
    shutil.copytree(os.path.join(ROOT, "models", "sx"), os.path.join(C.MODELS, "sx"))


def main():
    steps = int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 11
    p_about = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    w = W.World()
    scratch_models(w)
    nets.RX_CONFIG["vocab_size"] = VOCAB

    class Args:
        retrain = True
    tok = B.load_toks()[0]
    print(f"rx tokenizer: {len(tok)} entries; names in one token: "
          f"{sum(len(tok.encode(' ' + p)) == 1 for p in w.first + w.last)} of {len(w.first) + len(w.last)}", flush=True)
    val = B.evalset("context-val", "plain")
    fn = lambda rng: [B.multi_qa(w, rng, "plain", p_rev=1 / 3, p_about=p_about) for _ in range(32)]  # noqa: E731
    B.train_lm(Args, w, f"exp-rx-wordtok-{VOCAB}-s{seed}-a{p_about}", nets.RX_CONFIG, tok, fn, val, steps, 2e-3,
               target=0.995, seed=seed)


if __name__ == "__main__":
    main()
