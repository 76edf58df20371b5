"""Fitting a fuser's paths by regression: each K and V path (fuser.KVPath) of a Fuser is fitted on its own to its
receiver layer's distillation target (the receiver's own K/V of the plain twin, keys turned by RoPE to the fused
positions: fuser.plain_targets), from the inputs the fuser gets at inference (the receiver's K/V of the prompt as
given and the sharer's K/V at the aligned position), over the token rows of cached train-split passages, in the
script and in plain text (where the target is the receiver's own cache, so a fit leaves plain passages alone).
This is the fuser's distillation term solved path by path: on this CPU it fits a fuser far better than the same
term inside end-to-end training at the steps a session allows (training/README.md, point 10)."""
import math
import random
import time

import torch

import fuser as FZ


class Capture:
    """stands in for a fuser inside fuser.fused_past: keeps the receiver's own past and the gathered sharer K/V."""

    def __call__(self, rpast, g):
        self.rpast, self.g = rpast, g
        return rpast


def features(rx, sx, toks, prompts, twins, strategy):
    """the receiver's own K/V of the prompts, the sharer's K/V gathered at the aligned positions, the turned target
    from the plain twins, and the prefix mask."""
    d = FZ.prepare(toks[0], toks[1], prompts, strategy)
    cap = Capture()
    with torch.no_grad():
        _, pam = FZ.fused_past(rx, sx, cap, d)
        tgt = FZ.plain_targets(rx, toks[0], prompts, twins, pam.shape[1], True)
    return cap.rpast, cap.g, tgt, pam


def rows(x, pam):
    """[B, H, T, D] -> [N, H, 1, D] over the valid positions (a KVPath takes them as N sequences of one token)."""
    B, H, T, D = x.shape
    return x.permute(0, 2, 1, 3)[pam.bool()].reshape(-1, H, 1, D)


def fit_path(path, X, S, Y, epochs, bs=512, lr=1e-3):
    """fits X + path(X, S) to Y (AdamW, cosine lr, batches of token rows, shuffled by torch's global generator:
    seed it before); returns the last epoch's mean scaled squared distance (the fuser's distillation measure: per
    element, over the target's variance)."""
    var = Y.var()
    opt = torch.optim.AdamW(path.parameters(), lr=lr, weight_decay=0.01)
    n = X.shape[0]
    total, step, tot = epochs * math.ceil(n / bs), 0, 0.0
    for _ in range(epochs):
        perm = torch.randperm(n)
        tot = 0.0
        for b0 in range(0, n, bs):
            ix = perm[b0:b0 + bs]
            for gr in opt.param_groups:
                gr["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / total))
            loss = ((X[ix] + path(X[ix], S[ix]) - Y[ix]) ** 2).mean() / var
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(ix)
            step += 1
    return tot / n


def fit_fuser(fz, rx, sx, toks, w, strategy, n_passages, epochs, seed=708, log=print):
    """fits every path of fz on n_passages fresh train-split passages per form (context_item, seeded) and opens
    every gate; the batches are shuffled by torch's global generator (seed it before). Returns the train scaled
    distance per path."""
    rng = random.Random(seed)
    items = [w.context_item(rng, "train") for _ in range(n_passages)]
    data = {}
    t0 = time.time()
    for form in ("script", "plain"):
        for b0 in range(0, n_passages, 32):
            ch = items[b0:b0 + 32]
            ps = [w.ctx_prompt(it["passage_" + form], it["question"]) for it in ch]
            qs = [w.ctx_prompt(it["passage_plain"], it["question"]) for it in ch]
            own, g, tgt, pam = features(rx, sx, toks, ps, qs, strategy)
            own, g, tgt, pam = ([(k.cpu(), v.cpu()) for k, v in own], [(k.cpu(), v.cpu()) for k, v in g],
                                [(k.cpu(), v.cpu()) for k, v in tgt], pam.cpu())
            for i, (rl, sl) in enumerate(fz.layer_map):
                for j, kv in enumerate("kv"):
                    d = data.setdefault((i, kv), ([], [], []))
                    d[0].append(rows(own[rl][j], pam))
                    d[1].append(rows(g[sl][j], pam))
                    d[2].append(rows(tgt[rl][j], pam))
    log(f"fuser fit: {sum(x.shape[0] for x in data[(0, 'k')][0])} token rows from {n_passages} passages per form "
        f"({time.time() - t0:.0f}s)")
    dev = next(fz.parameters()).device
    dist = {}
    for (i, kv), (X, S, Y) in data.items():
        path = (fz.kp if kv == "k" else fz.vp)[i]
        t = time.time()
        d = fit_path(path, torch.cat(X).to(dev), torch.cat(S).to(dev), torch.cat(Y).to(dev), epochs)
        dist[f"L{fz.layer_map[i][0]} {kv}"] = round(d, 4)
        log(f"fuser fit L{fz.layer_map[i][0]} {kv}: scaled distance {d:.3f} ({time.time() - t:.0f}s)")
    with torch.no_grad():
        fz.gate_logit.fill_(1.0)
    return dist
