"""Shared helpers: device, tokenization of prompts, batching, greedy decoding."""
import os
import random

import torch
import torch.nn.functional as F

import bpe

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# LL_MODELS / LL_CACHE: another models folder or cache, so that two variants can train side by side on one machine
MODELS = os.environ.get("LL_MODELS", os.path.join(ROOT, "models"))
CACHE = os.environ.get("LL_CACHE", os.path.join(HERE, ".cache"))
DEV = torch.device("cuda" if torch.cuda.is_available() else "cpu")
if DEV.type == "cpu":
    torch.set_num_threads(int(os.environ.get("LL_THREADS", "2")))
else:
    torch.backends.cuda.matmul.allow_tf32 = True  # these models are small; TF32 only speeds up their training
    torch.backends.cudnn.allow_tf32 = True


def sync():
    """waits for queued GPU work, so that wall-clock timings measure it (a no-op on the CPU)."""
    if DEV.type == "cuda":
        torch.cuda.synchronize()


def check_config(mid, st, cfg):
    """a cached checkpoint must have the architecture now configured (the sharer's is a flag, build.py --sx-shape)."""
    c = st.get("config", cfg)
    if c != cfg:
        raise SystemExit(f"{mid}.pt was trained with {c['num_hidden_layers']} layers x {c['hidden_size']} x "
                         f"{c['num_attention_heads']} heads, not the configured shape: pass --sx-shape "
                         f"{c['num_hidden_layers']}x{c['hidden_size']}x{c['num_attention_heads']}")


def seed_all(s):
    random.seed(s)
    torch.manual_seed(s)


def encode(tok, text, bos=True):
    ids, offs = tok.encode_with_offsets(text)
    if bos:
        ids = [bpe.BOS] + ids
        offs = [(0, 0)] + offs
    return ids, offs


def pad_right(seqs, val=0):
    L = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), L), val, dtype=torch.long)
    am = torch.zeros((len(seqs), L), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        am[i, :len(s)] = 1
    return ids, am


def lm_batch(tok, pairs, lm_weight=0.2):
    """pairs of (prompt, target) -> ids, mask, positions, labels, weights. BOS + prompt + target + EOS."""
    seqs, ws = [], []
    for ex in pairs:
        # ex = (prompt, target) or a list of such segments (several questions about one passage)
        segs = [ex] if isinstance(ex[0], str) else ex
        seq, wt = [bpe.BOS], []
        for p, t in segs:
            pi = tok.encode(p)
            ti = tok.encode(t) + [bpe.EOS]
            wt += [lm_weight] * len(pi) + [1.0] * len(ti)  # weight of predicting token j+1
            seq += pi + ti
        seqs.append(seq)
        ws.append(wt)
    ids, am = pad_right(seqs)
    L = ids.shape[1]
    w = torch.zeros(len(seqs), L - 1)
    for i, x in enumerate(ws):
        w[i, :len(x)] = torch.tensor(x)
    pos = torch.arange(L).unsqueeze(0).expand(len(seqs), L).contiguous()
    return ids, am, pos, w


def lm_loss(model, batch, teacher=None):
    """the weighted next-token loss; with a teacher model (frozen), also the mean KL(teacher || model) over every real
    token's next-token distribution: (loss, kl)."""
    ids, am, pos, w = [x.to(DEV) for x in batch]
    logits, _ = model(ids, am, pos)
    ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
    loss = (ce * w.reshape(-1)).sum() / w.sum()
    if teacher is None:
        return loss
    with torch.no_grad():
        t = F.log_softmax(teacher(ids, am, pos)[0].float(), -1)
    kl = F.kl_div(F.log_softmax(logits.float(), -1), t, log_target=True, reduction="none").sum(-1)
    return loss, (kl * am).sum() / am.sum()


@torch.no_grad()
def greedy(model, tok, prompts, max_new=16, bs=64, stop_newline=True):
    """batched greedy decoding with left padding + KV cache; returns generated strings (stripped of eos)."""
    model.eval()
    out = []
    nl = set(i for s, i in tok.vocab.items() if "Ċ" in s)  # tokens containing a newline byte
    for b0 in range(0, len(prompts), bs):
        chunk = [[bpe.BOS] + tok.encode(p) for p in prompts[b0:b0 + bs]]
        L = max(len(c) for c in chunk)
        B = len(chunk)
        ids = torch.zeros(B, L, dtype=torch.long)
        am = torch.zeros(B, L, dtype=torch.long)
        for i, c in enumerate(chunk):
            ids[i, L - len(c):] = torch.tensor(c)
            am[i, L - len(c):] = 1
        pos = (am.cumsum(1) - 1).clamp(min=0)
        ids, am, pos = ids.to(DEV), am.to(DEV), pos.to(DEV)
        logits, past = model(ids, am, pos)
        gen = [[] for _ in range(B)]
        done = [False] * B
        nxt = logits[:, -1].argmax(-1)
        lastpos = pos[:, -1]
        for step in range(max_new):
            for i in range(B):
                if not done[i]:
                    t = int(nxt[i])
                    if t == bpe.EOS or (stop_newline and t in nl):
                        done[i] = True
                    else:
                        gen[i].append(t)
            if all(done) or step == max_new - 1:
                break
            am = torch.cat([am, torch.ones(B, 1, dtype=torch.long, device=DEV)], 1)
            lastpos = lastpos + 1
            logits, past = model(nxt.unsqueeze(1), am, lastpos.unsqueeze(1), past)
            nxt = logits[:, -1].argmax(-1)
        out.extend(tok.decode(g).strip() for g in gen)
    return out


def accuracy(preds, answers):
    return sum(p.strip() == a.strip() for p, a in zip(preds, answers)) / max(1, len(answers))
