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
import torch.nn.functional as F  # noqa: E402

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
def multi_qa(w, rng, form, ks=(1, 2, 3), nq=3, p_rev=0.0, with_owners=False, p_about=0.0, contested=False):
    """one passage + up to nq questions about it (first segment has the eval format unless reversed). With p_rev > 0
    each question is asked the other way round with that probability ("Who lives in Zoutha?" -> "Turn Deidrir"): it
    rewards carrying a sentence's name onto its values, the half of the binding circuit that forward questions
    reward only once the whole circuit exists (training/experiments/rx_aux.py). With p_about > 0 a question is,
    with that probability, "What do we know about <name>?" and its answer the rest of that person's sentence: it
    rewards finding the asked name in the passage, the query half of binding (training/experiments/rx_about.py).
    p_about = 0 draws exactly the random numbers of the committed recipe (with p_rev = 0 too, the 2026-11-25 one).
    contested: passages of 2-3 people (a passage is redrawn until one attribute is shown for two of them) and questions
    only about attributes shown for at least two: a question with one value of the asked kind in the passage rewards
    copying and carries no binding signal (training/experiments/rx_levers.py)."""
    while True:
        ps, facts, shown = w.passage(rng, "train", (2, 3) if contested else ks)
        asked = W.attrs_shown(shown, 2 if contested else 1)
        if asked:
            break
    psg = " ".join(w.sentence(p, shown[j], facts[j]) for j, p in enumerate(ps))
    if form == "script":
        psg = w.encipher(psg)
    cands = [(i, a) for i in range(len(ps)) for a in shown[i] if a in asked]
    rng.shuffle(cands)
    segs = []
    for n, (i, a) in enumerate(cands[:nq]):
        if p_about > 0 and rng.random() < p_about:
            q, ans = W.ABOUT_QUESTION.format(n=ps[i]), w.sentence(ps[i], shown[i], facts[i])[len(ps[i]) + 1:]
        elif p_rev > 0 and rng.random() < p_rev:
            q, ans = W.REVERSE_QUESTION[a].format(v=facts[i][a]), ps[i]
        else:
            q, ans = W.QUESTION[a].format(n=ps[i]), facts[i][a]
        segs.append((w.ctx_prompt(psg, q) if n == 0 else " Question: " + q + " Answer:", " " + ans))
    if with_owners:
        return segs, owner_spans(w, ps, shown, facts, len("Context: "))
    return segs


def owner_spans(w, ps, shown, facts, at):
    """(start, end, first-name index, last-name index, is_name) of every value word in the passage and of each
    person's last name, as character offsets in the prompt (the passage starts at `at`); the cipher keeps offsets, so they hold for
    both forms. The name's own span gives the name an identity where it stands, which the values then copy: with
    values alone the owner objective stayed at chance for 500 steps (training/experiments/README.md)."""
    out = []
    for j, p in enumerate(ps):
        first, last = p.split()
        pos = at + len(p) + 1
        out.append((pos - 1 - len(last), pos - 1, w.first.index(first), w.last.index(last), True))
        for a in shown[j]:
            end = pos + len(W.CLAUSE[a].format(v=facts[j][a]))
            out.append((end - len(facts[j][a]), end, w.first.index(first), w.last.index(last), False))
            pos = end + 2  # past ", " (or ". " after the last clause)
        at = pos
    return out


def rx_sampler(w, rng, p_rev=0.0):
    return multi_qa(w, rng, "plain", p_rev=p_rev)


def rxft_sampler(w, rng):
    if rng.random() < 0.3:
        return rx_sampler(w, rng)
    return multi_qa(w, rng, "script", ks=(2, 3))


SX_TASKS = [("ctx_script", 0.45), ("ctx_plain", 0.2), ("relay_script", 0.1), ("relay_plain", 0.03),
            ("gloss", 0.12), ("know", 0.07), ("know_relay", 0.03)]


# the tasks the owner objective of phase c costs the sharer (README point 11): --sx3-keep-share draws from these
SX_KEEP_TASKS = ("ctx_plain", "relay_script", "relay_plain")


def sx_task_batch(w, rng, B, p_rev=0.0, with_owners=False, contested=False, tasks=None):
    """one task per batch; with_owners: items are (segments, owner_spans), the owners empty outside the context
    task (the draws are the same either way); contested: the context questions as multi_qa(contested=True) asks them;
    tasks: draw only from these of SX_TASKS, at their relative weights."""
    pool = [(t, p) for t, p in SX_TASKS if tasks is None or t in tasks]
    task = rng.choices([t for t, _ in pool], [p for _, p in pool])[0]
    out = []
    for _ in range(B):
        if task.startswith("ctx"):
            out.append(multi_qa(w, rng, task[4:], p_rev=p_rev, with_owners=with_owners, contested=contested))
            continue
        elif task.startswith("relay"):
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
        if with_owners:
            out[-1] = (out[-1], [])
    return out


# ---------------------------------------------------------------- LM training ------------------------------------
def train_lm(args, w, mid, cfg, tok, batch_fn, val_rows, steps, lr, init=None, target=None, seed=0, eval_every=250,
             lm_weight=0.2, aux=None, head_warmup=0, on_eval=None):
    """trains, keeps the checkpoint best on val; stops early when val >= target twice. aux (e.g. OwnerHead): an
    extra trained module whose loss(m, tok, items, lm_weight) replaces the plain LM loss; head_warmup > 0: for that
    many first steps only aux's parameters learn (the model's learning rate is 0), so that a fresh head's large loss
    does not push the trained model around before the head itself has learned. on_eval(step, m, acc): called after
    each val pass (experiments log more measures there); it does not change which checkpoint is kept."""
    ck = os.path.join(C.CACHE, mid + ".pt")
    if os.path.exists(ck) and not args.retrain:
        st = torch.load(ck, map_location="cpu")
        C.check_config(mid, st, cfg)
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
    params = list(m.parameters()) + ([] if aux is None else list(aux.to(C.DEV).parameters()))
    if head_warmup > 0 and aux is not None:
        opt = torch.optim.AdamW([{"params": list(m.parameters())}, {"params": list(aux.parameters())}], lr=lr,
                                betas=(0.9, 0.98), weight_decay=0.05)
    else:
        opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.98), weight_decay=0.05)
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
        if step <= head_warmup and len(opt.param_groups) > 1:
            opt.param_groups[0]["lr"] = 0.0
        m.train()
        if aux is None:
            loss = C.lm_loss(m, C.lm_batch(tok, batch_fn(rng), lm_weight))
        else:
            loss = aux.loss(m, tok, batch_fn(rng), lm_weight)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % 50 == 0:
            extra = "" if aux is None else f" aux {aux.last_aux:.4f}"
            log(f"{mid} step {step} loss {loss.item():.4f}{extra} ({(time.time() - t0) / step:.2f}s/step)")
        if step % eval_every == 0 or step == steps:
            acc = C.accuracy(C.greedy(m, tok, prompts), answers)
            hist.append((step, acc))
            log(f"{mid} step {step} val acc {acc:.4f}")
            if on_eval is not None:
                on_eval(step, m, acc)
            if acc > best:
                best, best_state = acc, {k: v.detach().cpu().clone() for k, v in m.state_dict().items()}
                torch.save({"model": best_state, "val": best, "step": step, "final": False, "config": cfg}, ck)
            hits = hits + 1 if target is not None and acc >= target else 0
            if hits >= 2:
                log(f"{mid}: target {target} reached twice, stopping")
                break
    torch.save({"model": best_state, "val": best, "final": True, "history": hist, "steps_run": step,
                "sec": time.time() - t0, "config": cfg}, ck)
    # per phase as well as per stage: a stage whose first phase came from the cache records only the phase it ran
    record_time(os.path.join(C.CACHE, "timing.json"), mid, time.time() - t0, True)
    m.load_state_dict(best_state)
    log(f"{mid}: done, best val {best:.4f}")
    return m


def check_rx_gate(args, val):
    """the issue's rule: the receiver must reach >= 99% on held-out plain passages before any fuser is trained. A
    receiver that copies values without binding them sits near 55%, and a fuser on it has nothing to learn."""
    if args.rx_gate > 0 and val < args.rx_gate:
        raise SystemExit(f"rx reached only {val:.4f} on val plain passages, below --rx-gate {args.rx_gate}: no fuser "
                         "is trained on a receiver that does not bind (see training/README.md, 'Rebuild'); retrain "
                         "rx (--retrain, another --rx-seed) or pass --rx-gate 0 to go on anyway")


def get_rx(args, w, toks):
    """phase a: rx_steps at lr 2e-3; phase b (continuation from the best of a, lr 1e-3) until val >= 99.5% twice."""
    val = evalset("context-val", "plain")
    head = (OwnerHead(w, nets.RX_CONFIG["hidden_size"], args.rx_owner_layer, args.rx_owner_weight)
            if args.rx_owner_weight > 0 else None)
    contested = args.rx_questions == "contested"
    fn = lambda rng: [multi_qa(w, rng, "plain", p_rev=args.reverse_share, with_owners=head is not None,  # noqa: E731
                               contested=contested) for _ in range(args.bs)]
    a = train_lm(args, w, "rx-a", nets.RX_CONFIG, toks[0], fn, val, args.rx_steps, 2e-3, target=0.995,
                 seed=args.rx_seed, aux=head)
    if torch.load(os.path.join(C.CACHE, "rx-a.pt"))["val"] >= 0.995:
        import shutil
        shutil.copy(os.path.join(C.CACHE, "rx-a.pt"), os.path.join(C.CACHE, "rx.pt"))
        return a
    if os.environ.get("LL_RX_INIT"):  # resume phase b from an interrupted checkpoint (see README, "history")
        a.load_state_dict(torch.load(os.environ["LL_RX_INIT"], map_location="cpu")["model"])
    # phase b: less weight on the (mostly unpredictable) prompt tokens so the answers dominate the gradient
    b = train_lm(args, w, "rx-b", nets.RX_CONFIG, toks[0], fn, val, args.rx2_steps, 1e-3, init=a, target=0.995,
                 seed=args.rx_seed + 1, lm_weight=0.05, aux=head)
    if args.rx3_steps <= 0:
        import shutil
        shutil.copy(os.path.join(C.CACHE, "rx-b.pt"), os.path.join(C.CACHE, "rx.pt"))
        return b
    # optional phase c: lower learning rate continuation (tried: 82.7% at 250 steps < 84.0%, stopped; default off)
    return train_lm(args, w, "rx", nets.RX_CONFIG, toks[0], fn, val, args.rx3_steps, 5e-4, init=b, target=0.995,
                    seed=13, lm_weight=0.05)


def sx_script_heavy_batch(w, rng, B, p_rev, ctx_share, with_owners=False, contested=False):
    """phase b of sx: ctx_share of the batches are script context questions, the rest the phase-a task mix. Phase a
    spreads sx over seven tasks, so it sees ~24k script context examples against rx's ~240k plain ones; more of them
    is what lifted val script from 51% to 58% in 750 steps (training/experiments/sx_more.py). contested: every context
    question (script and plain) asked as multi_qa(contested=True) asks it (--sx-questions)."""
    if rng.random() < ctx_share:
        return [multi_qa(w, rng, "script", p_rev=p_rev, with_owners=with_owners, contested=contested)
                for _ in range(B)]
    return sx_task_batch(w, rng, B, p_rev, with_owners, contested)


def sx_heavy(args, w, owners):
    """phase b's batches (and phase c's, with owners=True): rng, owners -> items."""
    return lambda rng, owners=owners: sx_script_heavy_batch(
        w, rng, args.sx_bs, args.reverse_share, args.sx2_ctx_share, with_owners=owners,
        contested=args.sx_questions == "contested")


def owner_layer(args):
    n = nets.SX_CONFIG["num_hidden_layers"] - nets.RX_CONFIG["num_hidden_layers"]  # last-aligned layer map
    return n if args.sx_owner_layer < 0 else args.sx_owner_layer


def lm_loss_with_layer(m, tok, items, lm_weight, layer, teacher=None, keep=0.0):
    """the LM loss of items ((segments, labels...) pairs), the residual stream after `layer` and the padded
    sequence length, for an auxiliary head (OwnerHead, experiments/sx_answer.py's AnswerHead). teacher, keep: plus
    keep x KL(teacher || m) over every token (C.lm_loss)."""
    batch = C.lm_batch(tok, [it[0] for it in items], lm_weight)
    seen = []
    hook = m.layers[layer].register_forward_hook(lambda mod, inp, out: seen.append(out[0]))
    try:
        if teacher is None:
            lm = C.lm_loss(m, batch)
        else:
            lm, kl = C.lm_loss(m, batch, teacher)
            lm = lm + keep * kl
    finally:
        hook.remove()
    return lm, seen[0], batch[0].shape[1]


class OwnerHead(torch.nn.Module):
    """An auxiliary objective for rx (phases a and b, --rx-owner-weight) and sx (phase b or c, off by default): at
    every token of every value word in a passage (and of each person's last name), a linear head on the residual
    stream after layer `layer` predicts the owner's first and last name (cross-entropy summed over the two, weight
    `weight`). Binding needs the owner written onto each value, and the forward question rewards that only once the
    whole circuit exists; yet on rx this objective, learned almost perfectly, did not make binding happen
    (training/experiments/rx_owner.py: two seeds stayed on the plateau), so it is off. The sharer answered without
    it (its K/V at a script value held no owner, training/experiments/owner_probe.py), and a per-token fuser can
    only hand the receiver what the sharer holds at that position. The head is dropped after training: the exported
    model is unchanged in form."""

    def __init__(self, w, hidden, layer, weight):
        super().__init__()
        self.layer, self.weight, self.nf = layer, weight, len(w.first)
        self.proj = torch.nn.Linear(hidden, len(w.first) + len(w.last))
        self.last_aux = 0.0
        self.teacher, self.keep = None, 0.0  # see keep_outputs_of

    def keep_outputs_of(self, teacher, weight):
        """adds weight x KL(teacher || model) over every token to the loss, so that the model keeps the teacher's
        outputs while the owner objective reshapes its lower layers (--sx3-keep-kl). The teacher is not a
        parameter of this module (it is frozen and not saved with the head)."""
        object.__setattr__(self, "teacher", teacher)
        self.keep = weight

    @staticmethod
    def labels(tok, items, L):
        """(first, last) name index per sequence position, -100 where there is no label."""
        yf = torch.full((len(items), L), -100, dtype=torch.long)
        yl = torch.full((len(items), L), -100, dtype=torch.long)
        for i, (segs, owners, *_) in enumerate(items):
            if not owners:
                continue
            offs = tok.encode_with_offsets(segs[0][0])[1]  # the first segment's prompt holds the passage
            for s, e, f, l, _ in owners:
                for j, (a, b) in enumerate(offs):
                    if a < e and b > s:  # every token overlapping the span; position j + 1 (after BOS)
                        yf[i, j + 1] = f
                        yl[i, j + 1] = l
        return yf, yl

    def loss(self, m, tok, items, lm_weight):
        lm, hidden, L = lm_loss_with_layer(m, tok, items, lm_weight, self.layer, self.teacher, self.keep)
        yf, yl = self.labels(tok, items, L)
        if (yf >= 0).sum() == 0:
            self.last_aux = 0.0
            return lm
        z = self.proj(hidden)
        aux = (F.cross_entropy(z[..., :self.nf].reshape(-1, self.nf), yf.reshape(-1).to(z.device), ignore_index=-100)
               + F.cross_entropy(z[..., self.nf:].reshape(-1, z.shape[-1] - self.nf), yl.reshape(-1).to(z.device),
                                 ignore_index=-100))
        self.last_aux = aux.item()
        return lm + self.weight * aux


def get_sx(args, w, toks):
    """phase a: sx_steps of the task mix at lr 2e-3; phase b (from the best of a, lr 1e-3): sx2_steps of a
    script-heavy mix, with the owner objective when sx2_owner_weight > 0; optional phase c (sx3_steps): phase b's mix
    with the owner objective at sx3_owner_weight. Each keeps the checkpoint best on val script passages. With
    --sx-budget the step counts of a and b come from a timing of this machine (see calibrate_sx)."""
    val = evalset("context-val", "script")
    init = None
    if os.environ.get("LL_SX_INIT"):  # resume from an interrupted checkpoint (see README, "history")
        init = nets.make("gpt2", nets.SX_CONFIG)
        init.load_state_dict(torch.load(os.environ["LL_SX_INIT"], map_location="cpu")["model"])
    owners_b = args.sx2_owner_weight > 0
    heavy = sx_heavy(args, w, owners_b)
    head_b = OwnerHead(w, nets.SX_CONFIG["hidden_size"], owner_layer(args), args.sx2_owner_weight) if owners_b else None
    if args.sx_budget > 0 and not (os.path.exists(os.path.join(C.CACHE, "sx.pt")) and not args.retrain):
        calibrate_sx(args, toks[1], heavy, head_b, val)
    # val every 250 steps (the committed recipe); about 8 val passes per phase when the steps come from a budget
    every = lambda n: max(250, (n // 8) // 50 * 50) if args.sx_budget > 0 else 250  # noqa: E731
    a = train_lm(args, w, "sx-a", nets.SX_CONFIG, toks[1],
                 lambda rng: sx_task_batch(w, rng, args.sx_bs, args.reverse_share), val, args.sx_steps, 2e-3,
                 seed=22, init=init, lm_weight=0.05, eval_every=every(args.sx_steps))
    import shutil
    if args.sx2_steps <= 0:
        shutil.copy(os.path.join(C.CACHE, "sx-a.pt"), os.path.join(C.CACHE, "sx.pt"))
        return a
    b = train_lm(args, w, "sx-b", nets.SX_CONFIG, toks[1], heavy, val, args.sx2_steps, 1e-3, seed=23, init=a,
                 lm_weight=0.05, aux=head_b, eval_every=every(args.sx2_steps))
    if args.sx3_steps <= 0:
        shutil.copy(os.path.join(C.CACHE, "sx-b.pt"), os.path.join(C.CACHE, "sx.pt"))
        return b
    c = train_sx3(args, w, toks, b, val, every(args.sx3_steps))
    shutil.copy(os.path.join(C.CACHE, "sx-c.pt"), os.path.join(C.CACHE, "sx.pt"))
    return c


SX3_SEED = 24


def train_sx3(args, w, toks, b, val, eval_every, on_eval=None):
    """phase c from phase b's best sharer b; --sx3-keep-share of its batches are drawn from SX_KEEP_TASKS instead of
    phase b's mix (0: phase b's mix alone, the session 15 recipe, whose random draws it leaves untouched). The owner
    head is initialised from the phase's seed: unseeded, its weights depended on what the process had drawn before
    (phases a and b in the same process or not), so a staged build and a one-piece build made different sharers."""
    C.seed_all(SX3_SEED)
    head = OwnerHead(w, nets.SX_CONFIG["hidden_size"], owner_layer(args), args.sx3_owner_weight)
    if args.sx3_keep_kl > 0:
        teacher = nets.make("gpt2", nets.SX_CONFIG)
        teacher.load_state_dict(b.state_dict())
        teacher.to(C.DEV).eval()
        for p in teacher.parameters():
            p.requires_grad_(False)
        head.keep_outputs_of(teacher, args.sx3_keep_kl)
    keep, heavy = args.sx3_keep_share, sx_heavy(args, w, True)

    def batch(rng):
        if keep > 0 and rng.random() < keep:
            return sx_task_batch(w, rng, args.sx_bs, args.reverse_share, True,
                                 args.sx_questions == "contested", SX_KEEP_TASKS)
        return heavy(rng)
    return train_lm(args, w, "sx-c", nets.SX_CONFIG, toks[1], batch, val, args.sx3_steps, args.sx3_lr, seed=SX3_SEED,
                    init=b, lm_weight=0.05, aux=head, eval_every=eval_every, head_warmup=args.sx3_head_warmup,
                    on_eval=on_eval)


def calibrate_sx(args, tok, heavy, head, val):
    """--sx-budget: sets --sx-steps and --sx2-steps (in their default ratio) so that both phases and their val
    passes fit the budget on this machine, from 20 timed steps of phase b's batches (the longest) and one val pass.
    The counts are logged and kept in each checkpoint (steps_run); a rerun anywhere with those two flags, and no
    budget, trains the same schedule."""
    m = nets.make("gpt2", nets.SX_CONFIG).to(C.DEV)
    params = list(m.parameters()) + ([] if head is None else list(head.to(C.DEV).parameters()))
    opt = torch.optim.AdamW(params, lr=1e-4)
    rng = random.Random(999)
    times = []
    for _ in range(25):
        C.sync()
        t = time.time()
        items = heavy(rng)
        loss = C.lm_loss(m, C.lm_batch(tok, items, 0.05)) if head is None else head.loss(m, tok, items, 0.05)
        opt.zero_grad()
        loss.backward()
        opt.step()
        C.sync()
        times.append(time.time() - t)
    step = sorted(times[5:])[len(times[5:]) // 2] * 1.1  # median of the warm steps, plus a margin for the val passes' batches
    t = time.time()
    C.greedy(m, tok, [r["prompt"] for r in val])
    t_val = time.time() - t
    share = args.sx_steps / (args.sx_steps + args.sx2_steps)
    n = int((args.sx_budget - 18 * t_val) / step)
    args.sx_steps = max(50, int(n * share) // 50 * 50)
    args.sx2_steps = max(50, (n - args.sx_steps) // 50 * 50)
    log(f"sx budget {args.sx_budget:.0f}s: {step * 1000:.1f} ms/step, val pass {t_val:.1f}s -> "
        f"--sx-steps {args.sx_steps} --sx2-steps {args.sx2_steps}")
    del m, opt


def get_rxft(args, w, toks, rx):
    val = evalset("context-val", "script")
    return train_lm(args, w, "rx-ft", nets.RX_CONFIG, toks[0],
                    lambda rng: [rxft_sampler(w, rng) for _ in range(args.bs)], val, args.rxft_steps, 1e-3,
                    init=rx, seed=33, eval_every=100)


def parser():
    """build.py's options; experiments take their defaults from here (`parser().parse_args([])`)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--stages", default="")
    ap.add_argument("--retrain", action="store_true", help="ignore cached checkpoints of the stages run")
    ap.add_argument("--bs", type=int, default=32)
    ap.add_argument("--sx-bs", type=int, default=16)
    ap.add_argument("--rx-steps", type=int, default=3000)
    ap.add_argument("--rx2-steps", type=int, default=4500)
    ap.add_argument("--rx3-steps", type=int, default=0)
    ap.add_argument("--rx-seed", type=int, default=11,
                    help="seed of rx phase a (phase b: this + 1); 11 made the committed rx on session 4's machine; on "
                         "this one it reached the gate only with --rx-questions contested (session 11)")
    ap.add_argument("--rx-questions", choices=["contested", "all"], default="contested",
                    help="rx phases a and b: contested = 2-3 person passages, questions only about attributes that "
                         "two or more of its people show (session 11); all = every shown fact, 1-3 people (the "
                         "recipe of the session-4 rx)")
    ap.add_argument("--rx-owner-weight", type=float, default=0.0,
                    help="weight of rx's owner objective (OwnerHead) in phases a and b (0 = off)")
    ap.add_argument("--rx-owner-layer", type=int, default=1, help="rx layer whose output the owner head reads")
    ap.add_argument("--rx-gate", type=float, default=0.99,
                    help="stop before export and fuser when rx's best val plain accuracy is below this (0 = off)")
    ap.add_argument("--sx-steps", type=int, default=3400)
    ap.add_argument("--sx2-steps", type=int, default=3000,
                    help="sx phase b (script-heavy); 0 = no phase b. 3000 since --sx-questions contested (session 12): "
                         "its val was still climbing at 1750 steps; the earlier recipe used 2000")
    ap.add_argument("--sx-questions", choices=["contested", "all"], default="contested",
                    help="sx phase b (and c): contested = every context question asked as --rx-questions contested "
                         "asks it (87%% val script at 1750 steps vs 67.7%% for all, experiments/sx_contested.py); "
                         "all = the recipe of session 9's sharer. Phase a is the same either way")
    ap.add_argument("--sx2-ctx-share", type=float, default=0.6,
                    help="share of sx phase-b batches that are all script context questions")
    ap.add_argument("--sx3-steps", type=int, default=3000,
                    help="sx phase c: phase b's mix (a warm restart from phase b's best, seed 24), plus the owner "
                         "objective (OwnerHead) at --sx3-owner-weight; 0 = no phase c. 3000 since session 17 (with "
                         "--sx3-keep-share 0.3 val script and relay were still rising at 2000: 93.7/91.3%% -> "
                         "99.3/95.7%%); 2000 in sessions 12-16")
    ap.add_argument("--sx-owner-layer", type=int, default=-1,
                    help="sx layer whose output the owner head reads; -1 = the first layer the fuser reads (2 for "
                         "the 6-layer sharer: its output feeds the K/V of layers 3-5)")
    ap.add_argument("--sx2-owner-weight", type=float, default=0.0,
                    help="owner objective (OwnerHead) in sx phase b at this weight; 0 = off")
    ap.add_argument("--sx-shape", default="",
                    help="LAYERSxHIDDENxHEADS of the sharer, e.g. 8x192x12 (default: nets.SX_CONFIG, 6x96x2); "
                         "every stage that loads sx must be given the same shape")
    ap.add_argument("--sx-rotary-dim", type=int, default=-1,
                    help="RoPE on only this many dims of each sharer head, the rest position-free (-1 = nets.SX_CONFIG's, "
                         "16 of 48; 0 = all); every stage that loads sx must be given the same value")
    ap.add_argument("--sx-budget", type=float, default=0.0,
                    help="seconds for sx phases a + b: sets --sx-steps/--sx2-steps from a timing on this machine "
                         "(0 = use the step flags)")
    ap.add_argument("--sx3-owner-weight", type=float, default=0.5,
                    help="owner objective in sx phase c: 0.5 since session 15 (the sharer must hold who owns each "
                         "value for the fuser to carry it; README point 10); 0 adds nothing to the loss or the "
                         "gradients, so phase c is phase b continued (the session 12-14 sharer)")
    ap.add_argument("--sx3-lr", type=float, default=1e-3,
                    help="sx phase c's peak learning rate (1e-3: the committed sharer)")
    ap.add_argument("--sx3-head-warmup", type=int, default=0,
                    help="sx phase c: the first N steps train only the owner head (the sharer's learning rate 0); "
                         "0 = off (the committed sharer). An experiment on the owner objective's cost to plain "
                         "passages and text relay (README point 11)")
    ap.add_argument("--sx3-keep-share", type=float, default=0.3,
                    help="sx phase c: this share of the batches are plain context, relay in the script and relay in "
                         "plain text (SX_KEEP_TASKS, at their phase-a weights), the tasks the owner objective costs; "
                         "0.3 since session 17 (val relay 85.0%% at 0 -> 95.7%%, README point 11); 0 = phase b's "
                         "mix alone (sessions 15-16)")
    ap.add_argument("--sx3-keep-kl", type=float, default=0.0,
                    help="sx phase c: plus this weight x KL(phase b's sharer || the sharer) over every token, so that "
                         "the sharer keeps phase b's outputs (plain passages, relay) while the owner objective reshapes "
                         "its lower layers; 0 = off (the committed sharer). An experiment on README point 11")
    ap.add_argument("--rxft-steps", type=int, default=400)
    ap.add_argument("--reverse-share", type=float, default=1 / 3,
                    help="share of rx and sx context-task training questions asked reversed (value -> person); "
                         "0 = the 2026-11-25 models' recipe")
    ap.add_argument("--fuser-steps", type=int, default=150,
                    help="end-to-end steps (answer CE + distillation); after --fuser-fit regress 150 since session "
                         "15 (1200 from scratch before)")
    ap.add_argument("--fuser-script-share", type=float, default=0.5,
                    help="share of fuser training passages in the script (the rest plain); rx alone already answers "
                         "plain passages, so the script is where the fuser has to learn")
    ap.add_argument("--fuser-questions", choices=["contested", "all"], default="all",
                    help="fuser training: contested = only questions about attributes two or more people of the "
                         "passage show (the lever that made rx and sx bind); all = any shown attribute")
    ap.add_argument("--fuser-alignment", choices=["auto", "last", "first", "word"], default="auto",
                    help="auto: make a fuser for each alignment (fitted with --fuser-fit regress, a quarter of the "
                         "steps with train), pick on val, go on with the winner; otherwise make only the one given; word (the last character of the token's word, "
                         "lookahead) is for experiments: it is not exported, the product's aligner lacks it")
    ap.add_argument("--fuser-distill", type=float, default=1.0,
                    help="weight of the fuser's auxiliary loss toward the receiver's own K/V of each passage's plain "
                         "twin (0 = answer cross-entropy only, the paper's loss)")
    ap.add_argument("--fuser-distill-keys", choices=["rerotated", "as-plain"], default="rerotated",
                    help="distillation target for the fused keys: rerotated = the plain twin's key turned by RoPE to "
                         "the fused token's own position (the key the receiver would hold there); as-plain = the plain "
                         "twin's key at its own position (session 6-12 fusers; a receiver given those keys answers 0%%)")
    ap.add_argument("--fuser-distill-query", type=float, default=0.0,
                    help="weight of a second auxiliary loss: the receiver's residual stream at the last prompt token "
                         "and the answer, reading the fused cache vs its own cache of the plain twin (0 = off)")
    ap.add_argument("--fuser-distill-attn", type=float, default=0.0,
                    help="weight of an auxiliary loss on where the receiver looks: KL of its attention at the last "
                         "prompt token and the answer over its own cache of the plain twin to that over the fused "
                         "cache (summed onto the plain tokens; 0 = off)")
    ap.add_argument("--fuser-fit", choices=["train", "regress"], default="regress",
                    help="train: the fuser is trained end to end (answer CE + the distillation terms) for "
                         "--fuser-steps; regress: first every K and V path is fitted by regression to the turned "
                         "distillation target (training/fuser_fit.py), then --fuser-steps of end-to-end training "
                         "follow (0 = none)")
    ap.add_argument("--fuser-lr", type=float, default=None,
                    help="peak learning rate of the end-to-end steps; default 1e-3 with --fuser-fit train (from "
                         "scratch), 1e-4 with --fuser-fit regress (on top of the fit, which a larger rate undoes)")
    ap.add_argument("--fuser-tau0", type=float, default=None,
                    help="starting Gumbel-sigmoid temperature of the gates (annealed to 0.05); default 1.0 with "
                         "--fuser-fit train, 0.2 with --fuser-fit regress")
    ap.add_argument("--fuser-fit-passages", type=int, default=2000,
                    help="--fuser-fit regress: train-split passages per form (script and plain) whose K/V it fits on")
    ap.add_argument("--fuser-fit-epochs", type=int, default=4, help="--fuser-fit regress: epochs over those rows")
    ap.add_argument("--fuser-hid", type=int, default=384,
                    help="the fuser paths' hidden width (the value paths', and the key paths' where --fuser-key-hid "
                         "is empty)")
    ap.add_argument("--fuser-key-hid", default="192,192,1024,192",
                    help="the key paths' hidden width per receiver layer, comma-separated (e.g. 192,192,768,192); "
                         "empty = --fuser-hid everywhere. rx's layer-2 keys carry the owner it binds with and need width "
                         "(training/experiments/fuser_capacity.py)")
    ap.add_argument("--fuser-budget", type=float, default=0.0,
                    help="seconds for fuser training: sets --fuser-steps from a timing on this machine (0 = the flag)")
    ap.add_argument("--no-fuser-export", action="store_true",
                    help="train and cache the fuser but do not export it (export later from the cache)")
    ap.add_argument("--fuser-val", type=int, default=200, help="val passages per form used to pick the alignment")
    ap.add_argument("--export-models", default="rx,sx,rx-ft")
    ap.add_argument("--eval-limit", type=int, default=0, help="0 = full test sets; >0 = first N rows (quick look)")
    ap.add_argument("--no-probe", action="store_true")
    ap.add_argument("--jobs", type=int, default=0,
                    help="on CPU, train sx in a second process beside rx/rx-ft (1 torch thread each); "
                         "0 = 2 when there are >= 2 cores, else 1; ignored on CUDA")
    return ap


def main():
    args = parser().parse_args()
    if args.sx_shape:
        nets.set_sx_shape(args.sx_shape)
    nets.set_sx_rotary_dim(args.sx_rotary_dim)
    stages = STAGES if args.all else [s for s in args.stages.split(",") if s]
    jobs = args.jobs or (2 if (os.cpu_count() or 1) >= 2 else 1)
    w = W.World()
    log("device", C.DEV, "threads", torch.get_num_threads(), "stages", stages)
    tpath = os.path.join(C.CACHE, "timing.json")

    def timed(name, fn, force=False):
        t = time.time()
        r = fn()
        record_time(tpath, name, time.time() - t, force)
        return r
    t_all = time.time()
    if "data" in stages:
        timed("data", lambda: stage_data(args, w))
    toks = load_toks()
    rx = None
    side = None
    if "rx" in stages and "sx" in stages and jobs > 1 and C.DEV.type == "cpu":
        # rx (and rx-ft after it) and sx are independent: two single-threaded processes use 2 cores better than
        # one process with 2 threads (small matrices scale poorly across threads)
        side = start_side_stage("sx", [a for a in ("rx", "sx", "rxft") if a in stages])
        torch.set_num_threads(1)
    elif "sx" in stages:
        timed("sx", lambda: get_sx(args, w, toks))
    if "rx" in stages:
        try:
            rx = timed("rx", lambda: get_rx(args, w, toks))
        except BaseException:
            if side is not None:  # do not leave the sx process training for a build that has stopped
                side.terminate()
            raise
        try:
            check_rx_gate(args, torch.load(os.path.join(C.CACHE, "rx.pt"), map_location="cpu")["val"])
        except SystemExit as stop:
            # the sharer does not depend on rx: let it finish so that the rerun (another --rx-seed) finds it cached
            log(str(stop))
            if side is not None and side.poll() is None:
                log("rx failed the gate; waiting for the sx process so that a rerun reuses its checkpoint "
                    "(interrupt to stop now)")
                try:
                    side.wait()
                except KeyboardInterrupt:
                    side.terminate()
            raise
    if "rxft" in stages:
        if rx is None:  # use the cached receiver as it is (does not (re)train it)
            import stages2
            rx = stages2.load_model("rx")[0]
            for p in rx.parameters():
                p.requires_grad_(True)
        timed("rxft", lambda: get_rxft(args, w, toks, rx))
    if side is not None:
        log("waiting for the sx process")
        if side.wait() != 0:
            sys.exit(f"sx process failed with exit code {side.returncode}")
        torch.set_num_threads(int(os.environ.get("LL_THREADS", "2")))
        log("sx process done; threads", torch.get_num_threads())
    import stages2
    for st in ("export", "fuser", "eval", "manifest"):
        if st in stages and not (st == "manifest" and args.all):  # --all writes it once, below, with the total
            timed(st, lambda: stages2.run(args, [st], w, toks, None, sys.modules[__name__]))
    if args.all:
        record_time(tpath, "all", time.time() - t_all, True)
        timed("manifest", lambda: stages2.run(args, ["manifest"], w, toks, None, sys.modules[__name__]))
    log("all requested stages done")


def record_time(tpath, name, sec, force=False):
    """adds one stage's wall time to .cache/timing.json (locked: the sx process writes beside the main one)."""
    import fcntl
    os.makedirs(C.CACHE, exist_ok=True)
    with open(tpath + ".lock", "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        tm = json.load(open(tpath)) if os.path.exists(tpath) else {}
        if name in tm and sec < 5 and not force:  # cache hit: keep the measured time of the real run
            return
        tm[name] = {"sec": round(sec, 1), "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "threads": torch.get_num_threads(), "device": C.DEV.type}
        json.dump(tm, open(tpath, "w"), indent=1)


def start_side_stage(stage, parallel_stages):
    """re-runs this script for one stage in a child process with 1 torch thread; same flags otherwise."""
    import subprocess
    argv, skip = [], False
    for a in sys.argv[1:]:
        if skip:
            skip = False
        elif a == "--all" or a.startswith("--stages=") or a.startswith("--jobs="):
            continue
        elif a in ("--stages", "--jobs"):
            skip = True
        else:
            argv.append(a)
    cmd = [sys.executable, os.path.abspath(__file__), "--stages", stage, "--jobs", "1"] + argv
    log(f"{stage}: child process ({' '.join(cmd[1:])}) beside {parallel_stages}")
    return subprocess.Popen(cmd, env=dict(os.environ, LL_THREADS="1"))


if __name__ == "__main__":
    main()
