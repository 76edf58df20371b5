"""export / fuser / eval / manifest stages."""
import hashlib
import json
import os
import platform
import random
import re
import sys
import time

import numpy as np
import onnx
import torch

import bpe
import common as C
import fuser as FZ
import fuser_fit
import nets
import world as W

CFG = {"rx": nets.RX_CONFIG, "rx-ft": nets.RX_CONFIG, "sx": nets.SX_CONFIG}
STRATEGIES = ["last", "first"]


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def load_model(mid):
    st = torch.load(os.path.join(C.CACHE, mid + ".pt"), map_location="cpu")
    C.check_config(mid, st, CFG[mid])
    m = nets.make(CFG[mid]["type"], CFG[mid])
    m.load_state_dict(st["model"])
    m.to(C.DEV).eval()
    for p in m.parameters():
        p.requires_grad_(False)
    return m, {"val": st["val"], "final": bool(st.get("final")), "step": st.get("step", st.get("steps_run")),
               "history": st.get("history"), "config": CFG[mid]}


# ------------------------------------------------------------------ export ----------------------------------------
class OnnxWrap(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m
        self.n = m.c["num_hidden_layers"]

    def forward(self, input_ids, attention_mask, position_ids, *past):
        pkv = [(past[2 * i], past[2 * i + 1]) for i in range(self.n)]
        logits, pres = self.m(input_ids, attention_mask, position_ids, pkv)
        out = [logits]
        for k, v in pres:
            out += [k, v]
        return tuple(out)


def genai_config(c):
    return {"model": {"type": c["type"], "bos_token_id": bpe.BOS, "eos_token_id": bpe.EOS, "pad_token_id": bpe.PAD,
                      "context_length": c["context_length"], "vocab_size": c["vocab_size"],
                      "decoder": {"filename": "model.onnx", "hidden_size": c["hidden_size"], "head_size": c["head_size"],
                                  "num_attention_heads": c["num_attention_heads"],
                                  "num_key_value_heads": c["num_key_value_heads"],
                                  "num_hidden_layers": c["num_hidden_layers"],
                                  "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask",
                                             "position_ids": "position_ids",
                                             "past_key_names": "past_key_values.%d.key",
                                             "past_value_names": "past_key_values.%d.value"},
                                  "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                                              "present_value_names": "present.%d.value"}}},
            "search": {"max_length": c["context_length"], "do_sample": False, "num_beams": 1, "temperature": 1.0,
                       "top_k": 1, "top_p": 1.0}}


def export_model(mid, m):
    c = CFG[mid]
    d = os.path.join(C.MODELS, mid)
    os.makedirs(d, exist_ok=True)
    json.dump(genai_config(c), open(os.path.join(d, "genai_config.json"), "w"), indent=2)
    m = m.cpu().eval()
    B, S, P = 2, 3, 4
    n, kvh, hd = c["num_hidden_layers"], c["num_key_value_heads"], c["head_size"]
    ids = torch.randint(3, 100, (B, S))
    am = torch.ones(B, P + S, dtype=torch.long)
    pos = torch.arange(P, P + S).unsqueeze(0).expand(B, S).contiguous()
    past = []
    for _ in range(n):
        past += [torch.randn(B, kvh, P, hd), torch.randn(B, kvh, P, hd)]
    in_names = ["input_ids", "attention_mask", "position_ids"]
    out_names = ["logits"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(n):
        for kv in ("key", "value"):
            a, b = f"past_key_values.{i}.{kv}", f"present.{i}.{kv}"
            in_names.append(a)
            out_names.append(b)
            dyn[a] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[b] = {0: "batch_size", 2: "total_sequence_length"}
    path = os.path.join(d, "model.onnx")
    torch.onnx.export(OnnxWrap(m), (ids, am, pos, *past), path, input_names=in_names, output_names=out_names,
                      dynamic_axes=dyn, opset_version=17, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    m.to(C.DEV)
    log(f"export {mid}: {os.path.getsize(path)} bytes")


@torch.no_grad()
def golden(m, tok, mid, name, prompt, chunks=None):
    ids = [bpe.BOS] + tok.encode(prompt)
    chunks = chunks or [len(ids)]
    assert sum(chunks) == len(ids)
    past, p0, logits = None, 0, None
    for ch in chunks:
        x = torch.tensor([ids[p0:p0 + ch]], device=C.DEV)
        am = torch.ones(1, p0 + ch, dtype=torch.long, device=C.DEV)
        pos = torch.arange(p0, p0 + ch, device=C.DEV).unsqueeze(0)
        logits, past = m(x, am, pos, past)
        p0 += ch
    last = logits[0, -1].float().cpu()
    gen = []
    nxt = int(last.argmax())
    for _ in range(16):
        gen.append(nxt)
        if len(gen) == 16:
            break
        am = torch.ones(1, p0 + 1, dtype=torch.long, device=C.DEV)
        lo, past = m(torch.tensor([[nxt]], device=C.DEV), am, torch.tensor([[p0]], device=C.DEV), past)
        p0 += 1
        nxt = int(lo[0, -1].argmax())
    offs = tok.encode_with_offsets(prompt)[1]
    g = {"model": mid, "name": name, "prompt": prompt, "input_ids": ids, "prefill_chunks": chunks,
         "offsets": [list(o) for o in offs],
         "last_logits": [float(x) for x in last.tolist()], "greedy_ids": gen, "greedy_text": tok.decode(gen)}
    os.makedirs(os.path.join(C.MODELS, "golden"), exist_ok=True)
    json.dump(g, open(os.path.join(C.MODELS, "golden", f"{mid}-{name}.json"), "w"))


def stage_export(B, toks, only=("rx", "sx", "rx-ft")):
    val = B.evalset("context-val")
    plain = next(r for r in val if r["form"] == "plain")["prompt"]
    script = next(r for r in val if r["form"] == "script")["prompt"]
    know = B.evalset("knowledge-test")[0]["prompt"]
    ip = os.path.join(C.CACHE, "model_info.json")
    info = json.load(open(ip)) if os.path.exists(ip) else {}
    for mid in only:
        m, inf = load_model(mid)
        info[mid] = inf
        export_model(mid, m)
        tok = toks[1] if mid == "sx" else toks[0]
        n = len(tok.encode(plain)) + 1
        golden(m, tok, mid, "plain", plain)
        golden(m, tok, mid, "script", script)
        golden(m, tok, mid, "knowledge", know)
        golden(m, tok, mid, "chunked", plain, [n - 7, 5, 2])
    json.dump(info, open(os.path.join(C.CACHE, "model_info.json"), "w"), indent=1)


# ------------------------------------------------------------------ fuser -----------------------------------------
def layer_map():
    nr, ns = nets.RX_CONFIG["num_hidden_layers"], nets.SX_CONFIG["num_hidden_layers"]
    return [[i, ns - nr + i] for i in range(nr)]  # last-aligned


def fuser_batch(w, rng, bs, script_share, contested=False):
    """prompts (script or plain), answers, and every prompt's plain twin (the distillation target). contested: only
    questions about attributes two or more people of the passage show (--fuser-questions)."""
    P, A, Q = [], [], []
    for _ in range(bs):
        it = w.context_item(rng, "train", contested=contested)
        form = "script" if rng.random() < script_share else "plain"
        P.append(w.ctx_prompt(it["passage_" + form], it["question"]))
        A.append(it["answer"])
        Q.append(w.ctx_prompt(it["passage_plain"], it["question"]))
    return P, A, Q


def key_hid(args):
    """--fuser-key-hid as a list (None: the fuser's default width everywhere)."""
    if not args.fuser_key_hid:
        return None
    hid = [int(h) for h in args.fuser_key_hid.split(",")]
    if len(hid) != len(layer_map()):
        raise SystemExit(f"--fuser-key-hid needs one width per receiver layer ({len(layer_map())}), got {hid}")
    return hid


def e2e_schedule(args):
    """(peak lr, starting gate temperature) of the end-to-end steps: gentler after a fit (build.py --fuser-lr)."""
    fitted = args.fuser_fit == "regress"
    return (args.fuser_lr if args.fuser_lr is not None else (1e-4 if fitted else 1e-3),
            args.fuser_tau0 if args.fuser_tau0 is not None else (0.2 if fitted else 1.0))


def make_fuser(args):
    return FZ.Fuser(nets.RX_CONFIG, nets.SX_CONFIG, layer_map(), hid=args.fuser_hid, key_hid=key_hid(args)).to(C.DEV)


def train_fuser(args, w, rx, sx, toks, strategy, steps_total, steps_from=0, fz=None, opt=None, seed=44, lr0=1e-3,
                tau0=1.0):
    """end-to-end steps (fuser.fused_loss): lr0 with 50 warmup steps and linear decay to 0.1 x; the Gumbel-sigmoid
    temperature annealed from tau0 to 0.05 over args.fuser_steps."""
    if fz is None:
        torch.manual_seed(seed)
        fz = make_fuser(args)
    if opt is None:
        opt = torch.optim.AdamW(fz.parameters(), lr=1e-3, weight_decay=0.01)
    rng = random.Random(seed + 1000 * steps_from + (7 if strategy == "first" else 0))
    t0 = time.time()
    for step in range(steps_from + 1, args.fuser_steps + 1):
        if step > steps_total:
            break
        frac = step / args.fuser_steps
        fz.tau = tau0 * (0.05 / tau0) ** frac
        lr = lr0 * min(1.0, step / 50) * (0.1 + 0.9 * (1 - frac))
        for g in opt.param_groups:
            g["lr"] = lr
        fz.train()
        P, A, Q = fuser_batch(w, rng, args.bs, args.fuser_script_share, args.fuser_questions == "contested")
        loss, ce, dl = FZ.fused_loss(rx, sx, fz, toks[0], toks[1], P, A, strategy, Q, args.fuser_distill,
                                     args.fuser_distill_keys == "rerotated", args.fuser_distill_query,
                                     args.fuser_distill_attn)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(fz.parameters(), 1.0)
        opt.step()
        if step % 25 == 0:
            log(f"fuser[{strategy}] step {step} loss {loss.item():.4f} (ce {ce.item():.4f} distill {dl.item():.4f}) tau {fz.tau:.3f} "
                f"gates {torch.sigmoid(fz.gate_logit).detach().cpu().numpy().round(2).tolist()} "
                f"({(time.time() - t0) / max(1, step - steps_from):.2f}s/step)")
    return fz, opt


def c2c_acc(rx, sx, fz, toks, rows, strategy):
    fz.eval()
    pred = FZ.c2c_generate(rx, sx, fz, toks[0], toks[1], [r["prompt"] for r in rows], strategy)
    return C.accuracy(pred, [r["answer"] for r in rows]), pred


def stage_fuser(args, B, w, toks):
    rx, rx_info = load_model("rx")
    B.check_rx_gate(args, rx_info["val"])
    sx, _ = load_model("sx")
    val = B.evalset("context-val")
    vs = [r for r in val if r["form"] == "script"][:args.fuser_val]
    vp = [r for r in val if r["form"] == "plain"][:args.fuser_val]
    res, fz_by = {}, {}
    lr0, tau0 = e2e_schedule(args)
    inputs = {mid: sha256(os.path.join(C.CACHE, mid + ".pt")) for mid in ("rx", "sx")}
    cached = cached_fuser(args, inputs)
    if cached is not None:
        fz, meta = cached
        log(f"fuser: cached ({meta['chosen']}, {args.fuser_steps} steps, trained on these rx.pt and sx.pt)")
        finish_fuser(args, B, toks, fz, meta)
        return
    if args.fuser_budget > 0:
        calibrate_fuser(args, w, rx, sx, toks, vs + vp)
    fit = None
    if args.fuser_fit == "regress":
        # each alignment (auto) or the one given is fitted path by path; with auto the fits are compared on val and
        # the end-to-end steps go to the winner only
        cands = STRATEGIES if args.fuser_alignment == "auto" else [args.fuser_alignment]
        fits = {}
        for s in cands:
            f, fits[s] = cached_fit(args, inputs, s)
            if f is None:
                torch.manual_seed(44)
                f = make_fuser(args)
                fits[s] = fuser_fit.fit_fuser(f, rx, sx, toks, w, s, args.fuser_fit_passages, args.fuser_fit_epochs,
                                              log=log)
                torch.save({"state": f.state_dict(), "fit_key": fit_key(args, inputs, s), "distance": fits[s]},
                           os.path.join(C.CACHE, f"fuser-fit-{s}.pt"))
            fz_by[s] = (f, None)
            if len(cands) > 1:
                a_s, _ = c2c_acc(rx, sx, f, toks, vs, s)
                a_p, _ = c2c_acc(rx, sx, f, toks, vp, s)
                res[s] = {"val_script": a_s, "val_plain": a_p, "steps": 0, "fitted": True}
                log(f"fuser strategy {s} (fitted): val script {a_s:.4f} plain {a_p:.4f}")
        best = max(cands, key=lambda s: (res[s]["val_script"] + res[s]["val_plain"], s == "last")) \
            if len(cands) > 1 else cands[0]
        fit, (fz, opt), sel = fits[best], fz_by[best], 0
    elif args.fuser_alignment == "auto":
        sel = max(1, args.fuser_steps // 4)
        for s in STRATEGIES:  # compare strategies after `sel` steps each, on val
            fz, opt = train_fuser(args, w, rx, sx, toks, s, sel, lr0=lr0, tau0=tau0)
            a_s, _ = c2c_acc(rx, sx, fz, toks, vs, s)
            a_p, _ = c2c_acc(rx, sx, fz, toks, vp, s)
            res[s] = {"val_script": a_s, "val_plain": a_p, "steps": sel}
            fz_by[s] = (fz, opt)
            log(f"fuser strategy {s}: val script {a_s:.4f} plain {a_p:.4f}")
        best = max(STRATEGIES, key=lambda s: (res[s]["val_script"] + res[s]["val_plain"], s == "last"))
        fz, opt = fz_by[best]
    else:  # a fixed alignment: no selection, and only that fuser is kept and evaluated
        best, sel, fz, opt = args.fuser_alignment, 0, None, None
    if fit is None or args.fuser_steps > 0:
        if fit is not None:  # the same Gumbel noise whether the fits ran here or came from the cache
            torch.manual_seed(45)
        fz, opt = train_fuser(args, w, rx, sx, toks, best, args.fuser_steps, steps_from=sel, fz=fz, opt=opt,
                              lr0=lr0, tau0=tau0)
    fz.eval()
    a_s, _ = c2c_acc(rx, sx, fz, toks, vs, best)
    a_p, _ = c2c_acc(rx, sx, fz, toks, vp, best)
    log(f"fuser final ({best}): val script {a_s:.4f} plain {a_p:.4f}")
    # keep the runner-up (short-trained) fuser, when selection trained one, for the per-strategy reference numbers
    trained = {s: f for s, (f, _) in fz_by.items()}
    trained[best] = fz
    for s, f in trained.items():
        torch.save({"state": f.state_dict(), "key_hid": key_hid(args), "hid": args.fuser_hid},
                   os.path.join(C.CACHE, f"fuser-{s}.pt"))
    meta = {"strategy_selection": res, "chosen": best, "final_val": {"script": a_s, "plain": a_p},
            "steps": args.fuser_steps, "budget": args.fuser_budget, "inputs": inputs, "questions": args.fuser_questions,
            "distill_keys": args.fuser_distill_keys, "distill_query": args.fuser_distill_query,
            "distill_attn": args.fuser_distill_attn, "fit": args.fuser_fit, "key_hid": key_hid(args),
            "hid": args.fuser_hid, "lr": lr0, "tau0": tau0}
    if fit is not None:
        meta.update(fit_passages=args.fuser_fit_passages, fit_epochs=args.fuser_fit_epochs, fit_distance=fit)
    json.dump(meta, open(os.path.join(C.CACHE, "fuser_meta.json"), "w"), indent=1)
    finish_fuser(args, B, toks, fz, meta)


def finish_fuser(args, B, toks, fz, meta):
    if args.no_fuser_export:  # e.g. on a GPU host whose torch exports differently: export later, from the cache
        log("fuser: not exported (--no-fuser-export)")
        return
    export_fuser(args, fz, meta["chosen"], meta)
    c2c_goldens(B, toks, meta["chosen"])


def fit_key(args, inputs, strategy):
    return {"inputs": inputs, "alignment": strategy, "hid": args.fuser_hid, "key_hid": key_hid(args),
            "passages": args.fuser_fit_passages, "epochs": args.fuser_fit_epochs}


def cached_fit(args, inputs, strategy):
    """a fit of this alignment, widths and data on exactly the cached rx.pt and sx.pt (a fit takes ~10 min on 2
    cores; a run stopped after it resumes from here), else (None, None)."""
    p = os.path.join(C.CACHE, f"fuser-fit-{strategy}.pt")
    if args.retrain or not os.path.exists(p):
        return None, None
    ck = torch.load(p, map_location="cpu")
    if ck["fit_key"] != fit_key(args, inputs, strategy):
        return None, None
    f = make_fuser(args)
    f.load_state_dict(ck["state"])
    log(f"fuser fit ({strategy}): cached")
    return f, ck["distance"]


def cached_fuser(args, inputs):
    """the cached fuser, if it was trained (same alignment and steps) on exactly the rx.pt and sx.pt now cached: a
    fuser trained on another sharer must never be exported beside this one."""
    mp = os.path.join(C.CACHE, "fuser_meta.json")
    if args.retrain or not os.path.exists(mp):
        return None
    meta = json.load(open(mp))
    want = args.fuser_alignment if args.fuser_alignment != "auto" else meta.get("chosen")
    # a fuser whose steps came from a budget (e.g. the GPU run) is reused whatever --fuser-steps says
    if meta.get("inputs") != inputs or meta.get("chosen") != want or meta.get("questions", "all") != args.fuser_questions \
            or meta.get("distill_keys", "as-plain") != args.fuser_distill_keys \
            or meta.get("distill_query", 0.0) != args.fuser_distill_query \
            or meta.get("distill_attn", 0.0) != args.fuser_distill_attn \
            or meta.get("fit", "train") != args.fuser_fit or meta.get("key_hid") != key_hid(args) \
            or meta.get("hid", 192) != args.fuser_hid \
            or (meta.get("lr", 1e-3), meta.get("tau0", 1.0)) != e2e_schedule(args) \
            or (args.fuser_fit == "regress" and (meta.get("fit_passages"), meta.get("fit_epochs"))
                != (args.fuser_fit_passages, args.fuser_fit_epochs)) \
            or (not meta.get("budget") and args.fuser_budget <= 0 and meta.get("steps") != args.fuser_steps):
        return None
    args.fuser_steps = meta["steps"]
    return load_fuser(meta["chosen"]), meta


def calibrate_fuser(args, w, rx, sx, toks, val_rows):
    """--fuser-budget: sets --fuser-steps so that training and its val passes fit the budget, from 12 timed steps
    of a scratch fuser (same batches and loss); logged and kept in fuser_meta.json."""
    import copy
    a = copy.copy(args)
    a.fuser_steps = 14
    strategy = args.fuser_alignment if args.fuser_alignment != "auto" else "first"
    fz, opt = train_fuser(a, w, rx, sx, toks, strategy, 2, seed=999)
    C.sync()
    t = time.time()
    train_fuser(a, w, rx, sx, toks, strategy, 14, steps_from=2, fz=fz, opt=opt, seed=999)
    C.sync()
    step = (time.time() - t) / 12
    t = time.time()
    c2c_acc(rx, sx, fz, toks, val_rows, strategy)
    t_val = time.time() - t
    passes = 2 if args.fuser_alignment == "auto" else 1
    args.fuser_steps = max(50, int((args.fuser_budget - passes * t_val) / step) // 50 * 50)
    log(f"fuser budget {args.fuser_budget:.0f}s: {step * 1000:.1f} ms/step, val pass {t_val:.1f}s -> "
        f"--fuser-steps {args.fuser_steps}")


def export_fuser(args, fz, strategy, meta):
    if strategy not in STRATEGIES:  # the Java aligner (core TokenAligner) implements only these
        raise SystemExit(f"fuser alignment '{strategy}' is for experiments only: the product's aligner has no such "
                         f"strategy; train with --no-fuser-export, or one of {STRATEGIES}")
    d = os.path.join(C.MODELS, "fuser-rx-sx")
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    fz = fz.cpu().eval()
    gates = [int(x) for x in (fz.gate_logit > 0).int().tolist()]
    graphs = {}
    rc, sc = nets.RX_CONFIG, nets.SX_CONFIG
    for i, (rl, sl) in enumerate(fz.layer_map):
        if not gates[i]:
            continue
        T = 5
        ex = (torch.randn(1, rc["num_key_value_heads"], T, rc["head_size"]),
              torch.randn(1, rc["num_key_value_heads"], T, rc["head_size"]),
              torch.randn(1, sc["num_key_value_heads"], T, sc["head_size"]),
              torch.randn(1, sc["num_key_value_heads"], T, sc["head_size"]))
        name = f"layer_{rl}.onnx"
        names = ["receiver_key", "receiver_value", "sharer_key", "sharer_value"]
        torch.onnx.export(FZ.LayerExport(fz, i), ex, os.path.join(d, name), input_names=names,
                          output_names=["fused_key", "fused_value"],
                          dynamic_axes={n: {2: "T"} for n in names + ["fused_key", "fused_value"]}, opset_version=17)
        onnx.checker.check_model(onnx.load(os.path.join(d, name)))
        graphs[str(rl)] = name
        # golden for the graph
        with torch.no_grad():
            fk, fv = FZ.LayerExport(fz, i)(*ex)
        json.dump({"layer": rl, "inputs": {n: x.flatten().tolist() for n, x in zip(names, ex)},
                   "shape_T": T, "fused_key": fk.flatten().tolist(), "fused_value": fv.flatten().tolist()},
                  open(os.path.join(C.MODELS, "golden", f"fuser-layer_{rl}.json"), "w"))
    man = {"format": "latentlink-fuser/1",
           "receiver": {"id": "rx", "sha256": sha256(os.path.join(C.MODELS, "rx", "model.onnx"))},
           "sharer": {"id": "sx", "sha256": sha256(os.path.join(C.MODELS, "sx", "model.onnx"))},
           "layer_map": fz.layer_map, "gates": gates, "graphs": graphs, "alignment": strategy,
           "fuse_prefix": "all_but_last", "bos": {"receiver": bpe.BOS, "sharer": bpe.BOS, "aligned_to": 0},
           "training": {"steps": args.fuser_steps, "batch": args.bs, "optimizer": f"AdamW lr {e2e_schedule(args)[0]:g} wd 0.01, warmup 50, linear decay to 0.1",
                        "gate": (f"Gumbel-sigmoid, tau {e2e_schedule(args)[1]:g} -> 0.05 (geometric), hard gate_logit>0 at "
                                 "inference" + ("; the fit opens every gate (logit 1)" if args.fuser_fit == "regress"
                                                else "")),
                        "data": (f"first every K and V path fitted by regression (AdamW, cosine lr 1e-3, batches of 512 "
                                 f"token rows, {args.fuser_fit_epochs} epochs) to the receiver's own K/V of the plain twin "
                                 f"(keys turned by RoPE to the fused position), on {args.fuser_fit_passages} train-split "
                                 f"passages in the script and the same in plain text; then {args.fuser_steps} steps on "
                                 if args.fuser_fit == "regress" else "")
                                + f"LinkQA-context train split, {args.fuser_script_share:.0%} script passages, the rest plain"
                                + (", questions only about attributes two or more people show"
                                   if args.fuser_questions == "contested" else "") + "; loss = receiver CE on ' answer' + eos"
                                + (f" + {args.fuser_distill:g} x scaled MSE of the fused K/V to the receiver's own K/V of the plain twin passage"
                                   + (", keys turned by RoPE to the fused position" if args.fuser_distill_keys == "rerotated" else "")
                                   if args.fuser_distill > 0 else ""),
                        "frozen": ["rx", "sx"], "hidden": fz.vp[0].fc1[0].in_features,
                        "key_hidden": [p.fc1[0].in_features for p in fz.kp],
                        "blocks": 2, "seed": 44,
                        "gate_logits": fz.gate_logit.detach().tolist(), **meta}}
    json.dump(man, open(os.path.join(d, "fuser.json"), "w"), indent=1)
    fz.to(C.DEV)
    log("fuser exported", gates)


@torch.no_grad()
def c2c_golden(rx, sx, fz, toks, prompt, strategy, name):
    """end-to-end C2C golden: ids, alignment, fused last-position logits, greedy answer (PyTorch reference)."""
    fz.eval()
    d = FZ.prepare(toks[0], toks[1], [prompt], strategy)
    past, pam = FZ.fused_past(rx, sx, fz, d)
    n = int(d["nlen"][0])
    am = torch.ones(1, n, dtype=torch.long, device=C.DEV)
    logits, past = rx(d["last"].to(C.DEV).view(1, 1), am, torch.tensor([[n - 1]], device=C.DEV), past)
    last = logits[0, -1].float().cpu()
    ans = FZ.c2c_generate(rx, sx, fz, toks[0], toks[1], [prompt], strategy)[0]
    g = {"kind": "c2c", "name": name, "prompt": prompt, "alignment": strategy,
         "receiver_ids": [1] + toks[0].encode(prompt), "sharer_ids": [1] + toks[1].encode(prompt),
         "sharer_positions": [int(x) for x in d["aln"][0, :n - 1].tolist()],
         "last_logits": [float(x) for x in last.tolist()], "answer_text": ans}
    json.dump(g, open(os.path.join(C.MODELS, "golden", f"c2c-{name}.json"), "w"))


def c2c_goldens(B, toks, strategy):
    rx, _ = load_model("rx")
    sx, _ = load_model("sx")
    fz = load_fuser(strategy)
    val = B.evalset("context-val")
    c2c_golden(rx, sx, fz, toks, next(r for r in val if r["form"] == "script")["prompt"], strategy, "script")
    c2c_golden(rx, sx, fz, toks, next(r for r in val if r["form"] == "plain")["prompt"], strategy, "plain")


def load_fuser(strategy):
    return load_fuser_file(os.path.join(C.CACHE, f"fuser-{strategy}.pt"))


def load_fuser_file(path):
    """a saved fuser at the widths it was saved with (`val_hid`: session 14's experiment checkpoints)."""
    st = torch.load(path, map_location="cpu")
    fz = FZ.Fuser(nets.RX_CONFIG, nets.SX_CONFIG, layer_map(), hid=st.get("hid", st.get("val_hid", 192)),
                  key_hid=st.get("key_hid"))
    fz.load_state_dict(st["state"])
    return fz.to(C.DEV).eval()


# ------------------------------------------------------------------ eval ------------------------------------------
def relay(rx, sx, toks, rows, preds_out=None):
    sents = C.greedy(sx, toks[1], [r["relay_prompt"] for r in rows], max_new=64)
    prompts = [W.World.ctx_prompt(s, r["question"]) for s, r in zip(sents, rows)]
    pred = C.greedy(rx, toks[0], prompts)
    if preds_out is not None:
        preds_out.extend(pred)
    return C.accuracy(pred, [r["answer"] for r in rows]), sents


def error_kinds(w, rows, preds):
    """sorts the wrong answers of one method on context rows, to say *why* it fails:
    binding = a value that is in the passage but belongs to another person or attribute (read the wrong fact);
    not_in_passage = a valid value of the asked attribute that the passage does not contain (misread or guessed);
    malformed = anything else (not a value of the asked attribute at all)."""
    out = {"correct": 0, "binding": 0, "not_in_passage": 0, "malformed": 0}
    every = [v for vals in w.values.values() for v in vals]
    for r, p in zip(rows, preds):
        p = p.strip()
        if p == r["answer"]:
            out["correct"] += 1
            continue
        psg = r["prompt"].split(" Question: ")[0]
        in_psg = {v for v in every if in_passage(w, v, psg, r["form"])}
        if p in in_psg:
            out["binding"] += 1
        elif p in w.values[r["attribute"]]:
            out["not_in_passage"] += 1
        else:
            out["malformed"] += 1
    return out


def in_passage(w, v, psg, form):
    """v occurs in the passage as a whole word (in the passage's own form)."""
    word = w.encipher(v) if form == "script" else v
    return re.search(r"(?<![A-Za-z])" + re.escape(word) + r"(?![A-Za-z])", psg) is not None


def stage_eval(args, B, w, toks):
    rx, _ = load_model("rx")
    sx, _ = load_model("sx")
    rxft, _ = load_model("rx-ft")
    meta = json.load(open(os.path.join(C.CACHE, "fuser_meta.json")))
    best = meta["chosen"]
    test = B.evalset("context-test")
    sets = {"context_script": [r for r in test if r["form"] == "script"],
            "context_plain": [r for r in test if r["form"] == "plain"],
            "knowledge": B.evalset("knowledge-test")}
    chance = {"city": 1 / len(w.cities), "job": 1 / len(w.professions), "likes": 1 / len(w.likes)}
    ref = {}
    if args.eval_limit:
        sets = {k: v[:args.eval_limit] for k, v in sets.items()}
    for name, rows in sets.items():
        ans = [r["answer"] for r in rows]
        P = [r["prompt"] for r in rows]
        n = len(rows)
        ent, preds = {}, {}
        for mid, model, tok in (("receiver", rx, toks[0]), ("sharer", sx, toks[1]), ("receiver_ft", rxft, toks[0])):
            preds[mid] = C.greedy(model, tok, P)
            ent[mid] = {"accuracy": C.accuracy(preds[mid], ans), "n": n}
        preds["text"] = []
        a, sents = relay(rx, sx, toks, rows, preds["text"])
        ent["text"] = {"accuracy": a, "n": n, "example_sentence": sents[0]}
        for s in [s for s in STRATEGIES if s == best or s in meta["strategy_selection"]]:
            fz = load_fuser(s)
            a, preds["c2c_" + s] = c2c_acc(rx, sx, fz, toks, rows, s)
            ent["c2c_" + s] = {"accuracy": a, "n": n,
                               "fuser_steps": meta.get("steps", args.fuser_steps) if s == best
                               else meta["strategy_selection"][s]["steps"]}
        ent["c2c"] = dict(ent["c2c_" + best], alignment=best)
        preds["c2c"] = preds["c2c_" + best]
        if name.startswith("context"):
            for mid, e in ent.items():
                e["errors"] = error_kinds(w, rows, preds[mid])
        ent["chance"] = {"accuracy": sum(chance[r["attribute"]] for r in rows) / n, "n": n}
        ref[name] = ent
        log(name, {k: round(v["accuracy"], 4) for k, v in ent.items()})
    ref["probe"] = None if args.no_probe else probe_table(args, w, sx, toks)
    ref["notes"] = {"split": "test split only; val used for all choices", "chosen_alignment": best,
                    "provisional": bool(args.eval_limit or args.no_probe),
                    "relay": "sharer greedy on relay_prompt (max 64 tokens, stop at eos/newline) -> sentence; "
                             "receiver prompt 'Context: ' + sentence + ' Question: ' + question + ' Answer:'"}
    json.dump(ref, open(os.path.join(C.MODELS, "REFERENCE.json"), "w"), indent=1)


@torch.no_grad()
def sharer_feats(sx, stok, prompts):
    ids, am = C.pad_right([[bpe.BOS] + stok.encode(p) for p in prompts])
    pos = torch.arange(ids.shape[1]).unsqueeze(0).expand(len(prompts), -1)
    _, pres = sx(ids.to(C.DEV), am.to(C.DEV), pos.to(C.DEV))
    # [layers][B, T, heads*dim] for K and V
    return [(k.transpose(1, 2).flatten(2).cpu(), v.transpose(1, 2).flatten(2).cpu()) for k, v in pres]


def probe_table(args, w, sx, toks, ntr=1500, nva=400):
    """linear probes (softmax regression) for the asked person's city from sharer K|V at chosen positions,
    script passages with a city question. train on train-split passages, report on val-split passages."""
    def items(split, n, seed):
        rng = random.Random(seed)
        out = []
        while len(out) < n:
            it = w.context_item(rng, split, ask="city")
            pr = w.ctx_prompt(it["passage_script"], it["question"])
            ec = w.encipher(it["answer"])
            name_s = w.encipher(it["person"])
            i0 = pr.index(name_s)                      # person's name in script
            ci = min(pr.find(" " + ec + x, i0) % 100000 for x in ",.") + 1  # that person's city word (script)
            qi = pr.index("Question: ") + len("Question: ") + len(QUESTION_PREFIX)
            out.append((pr, w.cities.index(it["answer"]), {
                "city_word_last_byte": ci + len(ec),        # +1 for BOS, -1 for last char
                "name_last_byte_in_passage": i0 + len(name_s),
                "question_name_last_byte": pr.index(it["person"] + " live?") + len(it["person"]),
                "last_prompt_byte": len(pr)}))
        return out
    tr, va = items("train", ntr, 505), items("val", nva, 606)
    positions = list(tr[0][2].keys())
    nl = nets.SX_CONFIG["num_hidden_layers"]
    table = {p: {} for p in positions}

    def collect(data):
        X = {(p, l): [] for p in positions for l in range(nl)}
        y = []
        for b0 in range(0, len(data), 64):
            ch = data[b0:b0 + 64]
            fs = sharer_feats(sx, toks[1], [c[0] for c in ch])
            for j, c in enumerate(ch):
                for p in positions:
                    for l in range(nl):
                        X[(p, l)].append(torch.cat([fs[l][0][j, c[2][p]], fs[l][1][j, c[2][p]]]))
            y += [c[1] for c in ch]
        return {k: torch.stack(v) for k, v in X.items()}, torch.tensor(y)
    Xtr, ytr = collect(tr)
    Xva, yva = collect(va)
    for p in positions:
        for l in range(nl):
            table[p][f"L{l}"] = linear_probe(Xtr[(p, l)], ytr, Xva[(p, l)], yva, len(w.cities))
    log("probe", table)
    return {"description": "val accuracy of a linear probe (softmax regression on standardized K|V of one sharer layer, "
                           "one position) predicting the asked person's city; script passages; chance %.4f" % (1 / len(w.cities)),
            "n_train": ntr, "n_val": nva, "table": table}


QUESTION_PREFIX = "Where does "


def linear_probe(a, ya, b, yb, ncls, steps=200, weight_decay=1e-4):
    """softmax regression on features standardized with the train rows' statistics; returns val accuracy."""
    mu, sd = a.mean(0), a.std(0) + 1e-5
    a, b = (a - mu) / sd, (b - mu) / sd
    torch.manual_seed(0)
    lin = torch.nn.Linear(a.shape[1], ncls)
    opt = torch.optim.Adam(lin.parameters(), lr=1e-2, weight_decay=weight_decay)
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(lin(a), ya)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return round(float((lin(b).argmax(-1) == yb).float().mean()), 4)


# ------------------------------------------------------------------ manifest --------------------------------------
def stage_manifest(args):
    arts = []
    for root, _, files in os.walk(C.MODELS):
        for f in sorted(files):
            p = os.path.join(root, f)
            rel = os.path.relpath(p, C.MODELS)
            if rel == "MANIFEST.json":
                continue
            arts.append({"path": rel, "sha256": sha256(p), "bytes": os.path.getsize(p)})
    arts.sort(key=lambda a: a["path"])
    info = json.load(open(os.path.join(C.CACHE, "model_info.json"))) if os.path.exists(os.path.join(C.CACHE, "model_info.json")) else {}
    timing = json.load(open(os.path.join(C.CACHE, "timing.json"))) if os.path.exists(os.path.join(C.CACHE, "timing.json")) else {}
    man = {"command": "/usr/bin/python3 training/build.py --all",
           "args": vars(args),
           "versions": {"python": platform.python_version(), "torch": torch.__version__, "onnx": onnx.__version__,
                        "numpy": np.__version__, "opset": 17},
           "device": str(C.DEV), "threads": torch.get_num_threads(), "machine": machine(),
           "seeds": {"world": W.SEED, "rx": 11, "sx": 22, "rx-ft": 33, "fuser": 44, "data": [101, 202, 303, 404]},
           "models": info, "timing": timing,
           "total_bytes": sum(a["bytes"] for a in arts), "artifacts": arts}
    json.dump(man, open(os.path.join(C.MODELS, "MANIFEST.json"), "w"), indent=1)
    log("manifest", man["total_bytes"], "bytes")


def machine():
    """what the timings were measured on: CPU model and core count (and the GPU when CUDA was used)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
    except OSError:
        pass
    m = {"cpu": cpu, "cores": os.cpu_count()}
    if C.DEV.type == "cuda":
        m["gpu"] = torch.cuda.get_device_name(0)
    return m


def run(args, stages, w, toks, models, B):
    if "export" in stages:
        stage_export(B, toks, args.export_models.split(","))
    if "fuser" in stages:
        stage_fuser(args, B, w, toks)
    if "eval" in stages:
        stage_eval(args, B, w, toks)
    if "manifest" in stages:
        stage_manifest(args)
