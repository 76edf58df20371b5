#!/usr/bin/python3
"""Does binding become learnable when every fact stands next to its person's name?  rx phase a from scratch (the
recipe and data order of build.py) with one change to the world's passage format: each shown fact is its own
sentence that repeats the name, "Turn Deidrir lives in Zoutha. Turn Deidrir works as barber." instead of
"Turn Deidrir lives in Zoutha, works as barber.". The hypothesis: in the committed format only the first clause
sits at a fixed distance from the name; the session-2 rx bound city (first clause) perfectly and job (middle
clause, variable distance) at chance, and a fixed offset is what a RoPE head learns fast. Val: the 300 val
passages of build.py's data stage (seed 202) rendered in the new format.
usage: training/experiments/rx_repeat.py STEPS"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build as B  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402


def repeated_sentence(person, attrs, facts):
    return " ".join(person + " " + W.CLAUSE[a].format(v=facts[a]) + "." for a in attrs)


def val_rows(w, n=300, seed=202):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        it = w.context_item(rng, "val")
        rows.append({"prompt": w.ctx_prompt(it["passage_plain"], it["question"]), "answer": it["answer"],
                     "attribute": it["attribute"]})
    return rows


def main():
    steps = int(sys.argv[1])
    W.World.sentence = staticmethod(repeated_sentence)
    w = W.World()

    class Args:
        retrain = True
    toks = B.load_toks()
    val = val_rows(w)
    print("val example:", val[0]["prompt"], flush=True)
    B.train_lm(Args, w, "exp-rx-repeat", nets.RX_CONFIG, toks[0],
               lambda rng: [B.rx_sampler(w, rng) for _ in range(32)], val, steps, 2e-3, target=0.995, seed=11)


if __name__ == "__main__":
    main()
