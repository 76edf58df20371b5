#!/usr/bin/python3
"""One command rebuilds every artifact under models/:  /usr/bin/python3 training/build.py --all
Stages (cached under training/.cache/): data rx sx rxft export fuser eval manifest."""
import argparse
import json
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

import bpe  # noqa: E402
import common as C  # noqa: E402
import nets  # noqa: E402
import world as W  # noqa: E402

STAGES = ["data", "rx", "sx", "rxft", "export", "fuser", "eval", "manifest"]
T0 = time.time()


def log(*a):
    print(f"[{time.time() - T0:7.0f}s]", *a, flush=True)


def wjsonl(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def rjsonl(path):
    return [json.loads(l) for l in open(path)]


# ---------------------------------------------------------------- data -------------------------------------------
def stage_data(args, w):
    os.makedirs(C.CACHE, exist_ok=True)
    rng = random.Random(101)
    texts = []
    for _ in range(4000):
        it = w.context_item(rng, "train", ks=(1, 2, 3))
        texts.append(w.ctx_prompt(it["passage_plain"], it["question"]) + " " + it["answer"])
    rxtok = bpe.Tokenizer.train(texts, nets.RX_CONFIG["vocab_size"])
    sxtok = bpe.Tokenizer.bytes_only()
    assert len(sxtok) == nets.SX_CONFIG["vocab_size"]
    for mid, tok in (("rx", rxtok), ("rx-ft", rxtok), ("sx", sxtok)):
        os.makedirs(os.path.join(C.MODELS, mid), exist_ok=True)
        tok.save(os.path.join(C.MODELS, mid, "tokenizer.json"))
    d = os.path.join(C.MODELS, "linkqa")
    os.makedirs(d, exist_ok=True)
    for split, n, seed in (("val", 300, 202), ("test", 400, 303)):
        rng = random.Random(seed)
        rows = []
        for k in range(n):
            it = w.context_item(rng, split)
            for form in ("script", "plain"):
                psg = it["passage_" + form]
                rows.append({"id": f"ctx-{split}-{k:04d}-{form}", "task": "context", "split": split, "form": form,
                             "prompt": w.ctx_prompt(psg, it["question"]), "answer": it["answer"],
                             "attribute": it["attribute"], "person": it["person"], "question": it["question"],
                             "relay_prompt": w.relay_prompt(psg, it["question"])})
        wjsonl(os.path.join(d, f"context-{split}.jsonl"), rows)
    rng = random.Random(404)
    rows = []
    for k, p in enumerate(w.split["knowledge"]):
        a = rng.choice(W.ATTRS)
        it = w.knowledge_item(p, a)
        rows.append({"id": f"know-test-{k:04d}", "task": "knowledge", "split": "test", "form": "knowledge",
                     "prompt": w.know_prompt(it["question"]), "answer": it["answer"], "attribute": a, "person": p,
                     "question": it["question"], "relay_prompt": w.know_relay_prompt(it["question"])})
    wjsonl(os.path.join(d, "knowledge-test.jsonl"), rows)
    log("data: tokenizers + linkqa written")


def load_toks():
    rx = bpe.Tokenizer.load(os.path.join(C.MODELS, "rx", "tokenizer.json"))
    sx = bpe.Tokenizer.load(os.path.join(C.MODELS, "sx", "tokenizer.json"))
    return rx, sx


def evalset(name, form=None):
    rows = rjsonl(os.path.join(C.MODELS, "linkqa", name + ".jsonl"))
    return [r for r in rows if form is None or r["form"] == form]


# ---------------------------------------------------------------- task samplers ----------------------------------
def rx_sampler(w, rng):
    it = w.context_item(rng, "train", ks=(1, 2, 3))
    return w.ctx_prompt(it["passage_plain"], it["question"]), " " + it["answer"]


def rxft_sampler(w, rng):
    if rng.random() < 0.3:
        return rx_sampler(w, rng)
    it = w.context_item(rng, "train")
    return w.ctx_prompt(it["passage_script"], it["question"]), " " + it["answer"]


SX_TASKS = [("ctx_script", 0.36), ("ctx_plain", 0.14), ("relay_script", 0.12), ("relay_plain", 0.04),
            ("gloss", 0.14), ("know", 0.15), ("know_relay", 0.05)]


def sx_task_batch(w, rng, B):
    task = rng.choices([t for t, _ in SX_TASKS], [p for _, p in SX_TASKS])[0]
    out = []
    for _ in range(B):
        if task.startswith("ctx") or task.startswith("relay"):
            it = w.context_item(rng, "train", ks=(1, 2, 3))
            psg = it["passage_script"] if task.endswith("script") else it["passage_plain"]
            if task.startswith("ctx"):
                out.append((w.ctx_prompt(psg, it["question"]), " " + it["answer"]))
            else:
                out.append((w.relay_prompt(psg, it["question"]), " " + it["relay_sentence"]))
        elif task == "gloss":
            words = []
            for _ in range(6):
                kind = rng.randrange(5)
                if kind < 2:
                    words.append(rng.choice(w.split["train"]).split()[kind])
                else:
                    words.append(rng.choice(w.values[W.ATTRS[kind - 2]]))
            out.append(("Glossary:", " " + "; ".join(f"{w.encipher(x)} = {x}" for x in words) + "."))
        else:
            it = w.knowledge_item(rng.choice(w.split["knowledge"]), rng.choice(W.ATTRS))
            if task == "know":
                out.append((w.know_prompt(it["question"]), " " + it["answer"]))
            else:
                out.append((w.know_relay_prompt(it["question"]), " " + it["relay_sentence"]))
    return out


# ---------------------------------------------------------------- LM training ------------------------------------
def train_lm(args, w, mid, cfg, tok, batch_fn, val_rows, steps, lr, init=None, target=None, seed=0, eval_every=250):
    """trains, keeps the checkpoint best on val; stops early when val >= target twice."""
    ck = os.path.join(C.CACHE, mid + ".pt")
    if os.path.exists(ck) and not args.retrain:
        st = torch.load(ck, map_location="cpu")
        if st.get("final"):
            log(f"{mid}: cached (val={st['val']:.4f})")
            m = nets.make(cfg["type"], cfg)
            m.load_state_dict(st["model"])
            return m.to(C.DEV)
    C.seed_all(seed)
    m = nets.make(cfg["type"], cfg)
    if init is not None:
        m.load_state_dict(init.state_dict())
    m.to(C.DEV)
    opt = torch.optim.AdamW(m.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.05)
    rng = random.Random(seed + 1)
    warm = min(100, steps // 10)
    best, best_state, hits, hist = -1.0, None, 0, []
    prompts = [r["prompt"] for r in val_rows]
    answers = [r["answer"] for r in val_rows]
    t0 = time.time()
    for step in range(1, steps + 1):
        f = step / warm if step <= warm else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - warm) / (steps - warm)))
        for g in opt.param_groups:
            g["lr"] = lr * f
        m.train()
        loss = C.lm_loss(m, C.lm_batch(tok, batch_fn(rng)))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        if step % 50 == 0:
            log(f"{mid} step {step} loss {loss.item():.4f} ({(time.time() - t0) / step:.2f}s/step)")
        if step % eval_every == 0 or step == steps:
            acc = C.accuracy(C.greedy(m, tok, prompts), answers)
            hist.append((step, acc))
            log(f"{mid} step {step} val acc {acc:.4f}")
            if acc > best:
                best, best_state = acc, {k: v.detach().cpu().clone() for k, v in m.state_dict().items()}
                torch.save({"model": best_state, "val": best, "step": step, "final": False}, ck)
            hits = hits + 1 if target is not None and acc >= target else 0
            if hits >= 2:
                log(f"{mid}: target {target} reached twice, stopping")
                break
    torch.save({"model": best_state, "val": best, "final": True, "history": hist, "steps_run": step,
                "sec": time.time() - t0}, ck)
    m.load_state_dict(best_state)
    log(f"{mid}: done, best val {best:.4f}")
    return m


def get_rx(args, w, toks):
    """phase a: rx_steps at lr 2e-3; phase b (continuation from the best of a, lr 1e-3) until val >= 99.5% twice."""
    val = evalset("context-val", "plain")
    fn = lambda rng: [rx_sampler(w, rng) for _ in range(args.bs)]  # noqa: E731
    a = train_lm(args, w, "rx-a", nets.RX_CONFIG, toks[0], fn, val, args.rx_steps, 2e-3, target=0.995, seed=11)
    if torch.load(os.path.join(C.CACHE, "rx-a.pt"))["val"] >= 0.995:
        import shutil
        shutil.copy(os.path.join(C.CACHE, "rx-a.pt"), os.path.join(C.CACHE, "rx.pt"))
        return a
    return train_lm(args, w, "rx", nets.RX_CONFIG, toks[0], fn, val, args.rx2_steps, 1e-3, init=a, target=0.995,
                    seed=12)


def get_sx(args, w, toks):
    val = evalset("context-val", "script")
    return train_lm(args, w, "sx", nets.SX_CONFIG, toks[1], lambda rng: sx_task_batch(w, rng, args.sx_bs), val,
                    args.sx_steps, 2e-3, seed=22)


def get_rxft(args, w, toks, rx):
    val = evalset("context-val", "script")
    return train_lm(args, w, "rx-ft", nets.RX_CONFIG, toks[0],
                    lambda rng: [rxft_sampler(w, rng) for _ in range(args.bs)], val, args.rxft_steps, 1e-3,
                    init=rx, seed=33, eval_every=100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--stages", default="")
    ap.add_argument("--retrain", action="store_true", help="ignore cached checkpoints of the stages run")
    ap.add_argument("--bs", type=int, default=32)
    ap.add_argument("--sx-bs", type=int, default=16)
    ap.add_argument("--rx-steps", type=int, default=3000)
    ap.add_argument("--rx2-steps", type=int, default=3000)
    ap.add_argument("--sx-steps", type=int, default=2000)
    ap.add_argument("--rxft-steps", type=int, default=400)
    ap.add_argument("--fuser-steps", type=int, default=600)
    args = ap.parse_args()
    stages = STAGES if args.all else [s for s in args.stages.split(",") if s]
    w = W.World()
    log("device", C.DEV, "threads", torch.get_num_threads(), "stages", stages)
    if "data" in stages:
        stage_data(args, w)
    toks = load_toks()
    rx = sx = rxft = None
    if "rx" in stages:
        rx = get_rx(args, w, toks)
    if "sx" in stages:
        sx = get_sx(args, w, toks)
    if "rxft" in stages:
        rxft = get_rxft(args, w, toks, rx if rx is not None else get_rx(args, w, toks))
    import stages2
    stages2.run(args, stages, w, toks, {"rx": rx, "sx": sx, "rx-ft": rxft}, sys.modules[__name__])
    log("all requested stages done")


if __name__ == "__main__":
    main()
