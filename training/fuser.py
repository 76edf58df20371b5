"""C2C-style KV fuser (one per receiver layer) and the fused-prefill procedure."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

import bpe
import common as C
import nets
from nets import RMSNorm, rotate_half


class KVPath(nn.Module):
    """concat(receiver, sharer) per token -> residual MLP blocks with RMSNorm -> receiver layout, per-head sigmoid weight."""

    def __init__(self, r_heads, r_dim, s_heads, s_dim, hid=192, blocks=2):
        super().__init__()
        self.rh, self.rd = r_heads, r_dim
        self.inp = nn.Linear(r_heads * r_dim + s_heads * s_dim, hid)
        self.norms = nn.ModuleList([RMSNorm(hid) for _ in range(blocks)])
        self.fc1 = nn.ModuleList([nn.Linear(hid, hid) for _ in range(blocks)])
        self.fc2 = nn.ModuleList([nn.Linear(hid, hid) for _ in range(blocks)])
        self.onorm = RMSNorm(hid)
        self.proj = nn.Linear(hid, r_heads * r_dim)
        self.wt = nn.Linear(hid, r_heads)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, r, s):
        # r [B,rh,T,rd]  s [B,sh,T,sd]  -> delta [B,rh,T,rd]
        B, T = r.shape[0], r.shape[2]
        x = torch.cat([r.transpose(1, 2).reshape(B, T, -1), s.transpose(1, 2).reshape(B, T, -1)], dim=-1)
        h = self.inp(x)
        for n, a, b in zip(self.norms, self.fc1, self.fc2):
            h = h + b(F.silu(a(n(h))))
        h = self.onorm(h)
        d = self.proj(h).view(B, T, self.rh, self.rd)
        wgt = torch.sigmoid(self.wt(h)).unsqueeze(-1)  # [B,T,rh,1]
        return (d * wgt).transpose(1, 2)


class Fuser(nn.Module):
    def __init__(self, rcfg, scfg, layer_map, hid=192, blocks=2, key_hid=None):
        """key_hid: the key paths' hidden width per layer (default hid everywhere). The receiver's layer-2 keys carry
        the owner it binds with, and a per-token map from the sharer's owner to them needs more width than the rest
        (experiments/fuser_capacity.py)."""
        super().__init__()
        self.layer_map = layer_map
        a = (rcfg["num_key_value_heads"], rcfg["head_size"], scfg["num_key_value_heads"], scfg["head_size"])
        key_hid = key_hid or [hid] * len(layer_map)
        self.kp = nn.ModuleList([KVPath(*a, hid=h, blocks=blocks) for h in key_hid])
        self.vp = nn.ModuleList([KVPath(*a, hid=hid, blocks=blocks) for _ in layer_map])
        self.gate_logit = nn.Parameter(torch.full((len(layer_map),), 1.0))
        self.tau = 1.0
        self.hard = False

    def gates(self):
        if self.hard or not self.training:
            return (self.gate_logit > 0).float()
        u = torch.rand_like(self.gate_logit).clamp(1e-6, 1 - 1e-6)
        return torch.sigmoid((self.gate_logit + torch.log(u) - torch.log(1 - u)) / self.tau)

    def forward(self, rpast, skv):
        """rpast: receiver [(k,v)] per layer; skv: sharer [(k,v)] already gathered per receiver position."""
        g = self.gates()
        out = []
        for i, (rl, sl) in enumerate(self.layer_map):
            rk, rv = rpast[rl]
            sk, sv = skv[sl]
            out.append((rk + g[i] * self.kp[i](rk, sk), rv + g[i] * self.vp[i](rv, sv)))
        return out


class LayerExport(nn.Module):
    """one receiver layer's fuser with the (open) gate baked in; I/O as in docs/ARTIFACTS.md."""

    def __init__(self, fuser, i):
        super().__init__()
        self.kp, self.vp = fuser.kp[i], fuser.vp[i]

    def forward(self, receiver_key, receiver_value, sharer_key, sharer_value):
        return receiver_key + self.kp(receiver_key, sharer_key), receiver_value + self.vp(receiver_value, sharer_value)


def align(text, offs, strategy):
    """sharer position (byte tokenizer with BOS at 0) for every receiver token (BOS first). Strategies: last (the
    token's last character), first (its first non-space one), word (the last character of its word, lookahead)."""
    out = []
    for (st, en) in offs:
        if en <= st:
            out.append(0)
            continue
        if strategy == "last":
            j = en - 1
        elif strategy == "first":
            j = next((k for k in range(st, en) if text[k] != " "), en - 1)
        elif strategy == "word":
            # lookahead to the end of the letter run (the tokenizers' pre-token) that holds the token's last
            # character: a plain-text subword never crosses one, so the sharer there has read all of it
            j = en - 1
            while text[j].isalpha() and j + 1 < len(text) and text[j + 1].isalpha():
                j += 1
        else:
            raise ValueError(strategy)
        out.append(j + 1)
    return out


def prepare(rtok, stok, prompts, strategy, conts=None):
    """tensors for a fused batch. conts: optional continuation token lists (teacher forcing)."""
    B = len(prompts)
    r, a, s = [], [], []
    for p in prompts:
        ids, offs = C.encode(rtok, p)
        r.append(ids)
        a.append(align(p, offs, strategy))
        s.append([bpe.BOS] + stok.encode(p))
        assert len(s[-1]) == len(p) + 1
    pre = [x[:-1] for x in r]
    pids, pam = C.pad_right(pre)
    aln = torch.zeros_like(pids)
    for i, x in enumerate(a):
        aln[i, :len(x) - 1] = torch.tensor(x[:-1])
    sids, sam = C.pad_right(s)
    last = torch.tensor([x[-1] for x in r])
    nlen = torch.tensor([len(x) for x in r])
    return dict(pids=pids, pam=pam, aln=aln, sids=sids, sam=sam, last=last, nlen=nlen)


def fused_past(rx, sx, fz, d, strategy=None):
    """prefill sharer (all) + receiver prefix (all but last), fuse. returns fused past, past mask, sharer gathered."""
    pids, pam, sids, sam, aln = [d[k].to(C.DEV) for k in ("pids", "pam", "sids", "sam", "aln")]
    B = pids.shape[0]
    with torch.no_grad():
        ppos = torch.arange(pids.shape[1], device=C.DEV).unsqueeze(0).expand(B, -1)
        _, rpast = rx(pids, pam, ppos)
        spos = torch.arange(sids.shape[1], device=C.DEV).unsqueeze(0).expand(B, -1)
        _, spast = sx(sids, sam, spos)
        idx = aln.unsqueeze(1).unsqueeze(-1)
        g = []
        for k, v in spast:
            ii = idx.expand(B, k.shape[1], aln.shape[1], k.shape[3])
            g.append((torch.gather(k, 2, ii), torch.gather(v, 2, ii)))
    see = getattr(fz, "see_sharer", None)  # a fuser that reads more than the aligned positions (experiments/)
    if see is not None:
        see(spast, aln)
    fused = fz(rpast, g) if fz is not None else rpast
    return fused, pam


def plain_prefill(rx, rtok, plain_prompts):
    """the receiver's own prefill of each plain twin's prefix (all but the last token): the encodings, the prefix
    mask and its cache, shared by both distillation terms."""
    enc = [C.encode(rtok, q) for q in plain_prompts]
    qids, qam = C.pad_right([ids[:-1] for ids, _ in enc])
    with torch.no_grad():
        qpos = torch.arange(qids.shape[1]).unsqueeze(0).expand(len(enc), -1)
        _, qpast = rx(qids.to(C.DEV), qam.to(C.DEV), qpos.to(C.DEV))
    return {"enc": enc, "qam": qam, "qpast": qpast}


def plain_index(rtok, prompts, pre, n_prefix):
    """for every fused (script) receiver prefix token, the plain twin's token that holds its last character. The
    cipher maps letters to letters and keeps every other character, so character offsets are shared by the two
    forms; only the receiver's tokenization differs."""
    idx = torch.zeros(len(prompts), n_prefix, dtype=torch.long)
    for i, (p, (_, qoffs)) in enumerate(zip(prompts, pre["enc"])):
        assert len(p) == qoffs[-1][1]
        _, offs = C.encode(rtok, p)
        owner = [0] * (len(p) + 1)
        for j, (st, en) in enumerate(qoffs):
            for c in range(st, en):
                owner[c] = j
        for t, (st, en) in enumerate(offs[:-1]):
            idx[i, t] = owner[en - 1] if en > st else 0
    return idx


def plain_targets(rx, rtok, prompts, plain_prompts, n_prefix, rerotate=False, pre=None):
    """the receiver's own K/V of each prompt's plain twin, gathered at the plain token that holds the last character
    of every fused (script) receiver token (plain_index). pre: plain_prefill's result when the caller already has
    it."""
    pre = pre or plain_prefill(rx, rtok, plain_prompts)
    for p, q in zip(prompts, plain_prompts):
        assert len(p) == len(q)
    idx = plain_index(rtok, prompts, pre, n_prefix)
    ii = idx.to(C.DEV)[:, None, :, None]
    out = [(torch.gather(k, 2, ii.expand(-1, k.shape[1], -1, k.shape[3])),
            torch.gather(v, 2, ii.expand(-1, v.shape[1], -1, v.shape[3]))) for k, v in pre["qpast"]]
    if not rerotate:
        return out
    # a key carries RoPE at its own position: the plain token's key sat at idx, the fused one sits at t
    shift = (torch.arange(n_prefix).unsqueeze(0) - idx).to(C.DEV)
    return [(rope_shift(k, shift, rx.inv_freq), v) for k, v in out]


def rope_shift(k, shift, inv_freq):
    """rotate post-RoPE keys [B,H,T,D] on by shift [B,T] positions (R(t) R(p)^-1 = R(t - p))."""
    fr = shift.float().unsqueeze(-1) * inv_freq
    emb = torch.cat([fr, fr], dim=-1).unsqueeze(1)
    return k * emb.cos() + rotate_half(k) * emb.sin()


def distill_loss(fused, targets, pam, layer_map):
    """mean squared distance of the fused K/V to the receiver's plain-passage K/V, per layer scaled by the target's
    variance so that every layer and K and V weigh alike."""
    m = pam.to(fused[0][0].device).float()[:, None, :, None]
    tot = 0.0
    for (fk, fv), (rl, _) in zip(fused, layer_map):
        for f, t in ((fk, targets[rl][0]), (fv, targets[rl][1])):
            tot = tot + (((f - t) ** 2) * m).sum() / (m.sum() * f.shape[1] * f.shape[3]) / (t.var() + 1e-6)
    return tot / (2 * len(fused))


def run_with_hidden(rx, ids, mask, pos, past, attention=None):
    """logits and every rx layer's output (the residual stream) for ids on top of past. attention: a list that gets
    every layer's attention probabilities [B, heads, len(ids), past + len(ids)]."""
    seen = []
    hooks = [l.register_forward_hook(lambda mod, inp, out: seen.append(out[0])) for l in rx.layers]
    fused_attend = nets.attend
    if attention is not None:
        def recording_attend(q, k, v, m, head_size):
            att = torch.softmax(torch.matmul(q * (1.0 / math.sqrt(head_size)), k.transpose(-1, -2)) + m, dim=-1)
            attention.append(att)
            return torch.matmul(att, v)
        nets.attend = recording_attend
    try:
        logits, _ = rx(ids, mask, pos, past)
    finally:
        nets.attend = fused_attend
        for h in hooks:
            h.remove()
    return logits, seen


def plain_continuation(rx, pre, conts, attention=None):
    """the receiver's residual stream (every layer) at the last prompt token and the answer tokens, reading its own
    cache of the plain twins (pre: plain_prefill's result); attention: as in run_with_hidden."""
    qam = pre["qam"]
    B = qam.shape[0]
    with torch.no_grad():
        cids, cam = C.pad_right([[ids[-1]] + conts[i] for i, (ids, _) in enumerate(pre["enc"])])
        pos = (qam.sum(1, keepdim=True) + torch.arange(cids.shape[1]).unsqueeze(0)).expand(B, -1)
        _, target = run_with_hidden(rx, cids.to(C.DEV), torch.cat([qam.to(C.DEV), cam.to(C.DEV)], 1), pos.to(C.DEV),
                                    pre["qpast"], attention)
    return target


def attention_distill_loss(att_fused, att_plain, idx, pam, cam):
    """how differently the receiver, at the last prompt token and the answer tokens, spreads its attention over the
    fused cache than over its own cache of the plain twin: KL(plain || fused) per layer and head, averaged. The fused
    prefix has more tokens than the plain one (idx, plain_index: the plain token each fused one stands in for), so
    the fused attention is averaged over the fused tokens of each plain token and renormalised: a fused cache that
    repeats each plain token's K/V (the turned distillation target) then gives the plain attention back, up to the
    relative positions. Plain tokens no fused token stands in for are left out. This asks the keys for what the
    receiver uses them for, finding the asked person's values, rather than for their every coordinate."""
    n_pre = idx.shape[1]
    B = idx.shape[0]
    m = cam.float()
    valid = pam.float()
    tot = 0.0
    for af, ap in zip(att_fused, att_plain):
        H, S = af.shape[1], af.shape[2]
        q_pre = ap.shape[3] - S
        ic = idx.clamp(max=q_pre - 1).to(af.device)
        cnt = torch.zeros(B, q_pre, device=af.device).scatter_add(1, ic, valid)
        agg = torch.zeros(B, H, S, q_pre, device=af.device).scatter_add(
            3, ic[:, None, None, :].expand(B, H, S, n_pre), af[..., :n_pre] * valid[:, None, None, :])
        qf = torch.cat([agg / cnt.clamp(min=1)[:, None, None, :], af[..., n_pre:]], dim=3)
        qf = qf / qf.sum(-1, keepdim=True)
        covered = torch.cat([(cnt > 0).float(), torch.ones(B, S, device=af.device)], 1)[:, None, None, :]
        pp = ap * covered
        pp = pp / pp.sum(-1, keepdim=True)
        kl = (pp * (torch.log(pp + 1e-9) - torch.log(qf + 1e-9))).sum(-1)  # [B,H,S]
        tot = tot + (kl.mean(1) * m).sum() / m.sum()
    return tot / len(att_fused)


def query_distill_loss(rx, pre, conts, hidden, cam):
    """how far the receiver's residual stream at the last prompt token and the answer tokens, reading the fused
    cache, is from the same tokens reading its own cache of the plain twin (pre: plain_prefill's result; per layer,
    scaled by the target's variance). It weighs the cache by what the receiver's queries take from it, so the keys
    that decide which value the answer attends to (the owner written on it) count as much as the values."""
    target = plain_continuation(rx, pre, conts)
    m = cam.float().unsqueeze(-1)
    tot = 0.0
    for h, t in zip(hidden, target):
        tot = tot + (((h - t) ** 2) * m).sum() / (m.sum() * h.shape[-1]) / (t.var() + 1e-6)
    return tot / len(hidden)


def fused_loss(rx, sx, fz, rtok, stok, prompts, answers, strategy, plain_prompts=None, distill=0.0, rerotate=False,
               query_distill=0.0, attn_distill=0.0):
    """receiver CE on ' answer' + eos after the fused prefix; with distill > 0, plus distill x distill_loss toward the
    receiver's own cache of the plain twins (a dense signal at every passage position, where the answer CE reaches
    the fuser only through the few positions the receiver attends to); rerotate: that term's keys turned to the fused
    positions (plain_targets); query_distill > 0: plus query_distill_loss, attn_distill > 0: plus attn_distill x
    attention_distill_loss, both logged with the distill term. Returns
    (total, ce, distill term)."""
    conts = [rtok.encode(" " + a) + [bpe.EOS] for a in answers]
    d = prepare(rtok, stok, prompts, strategy)
    past, pam = fused_past(rx, sx, fz, d)
    B = len(prompts)
    seqs = [[int(d["last"][i])] + conts[i] for i in range(B)]
    cids, cam = C.pad_right(seqs)
    cids, cam = cids.to(C.DEV), cam.to(C.DEV)
    pos = (d["nlen"].to(C.DEV) - 1).unsqueeze(1) + torch.arange(cids.shape[1], device=C.DEV).unsqueeze(0)
    att = [] if attn_distill > 0 else None
    logits, hidden = run_with_hidden(rx, cids, torch.cat([pam, cam], 1), pos, past, att)
    tgt = cids[:, 1:]
    w = cam[:, 1:].float()
    ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), tgt.reshape(-1), reduction="none")
    ce = (ce * w.reshape(-1)).sum() / w.sum()
    total, dl = ce, torch.zeros(())
    pre = plain_prefill(rx, rtok, plain_prompts) if distill > 0 or query_distill > 0 or attn_distill > 0 else None
    if distill > 0:
        dl = distill_loss(past, plain_targets(rx, rtok, prompts, plain_prompts, pam.shape[1], rerotate, pre), pam,
                          fz.layer_map)
        total = total + distill * dl
    if query_distill > 0:
        qd = query_distill_loss(rx, pre, conts, hidden, cam)
        total = total + query_distill * qd
        dl = dl + qd  # logged with the cache term
    if attn_distill > 0:
        att_plain = []
        plain_continuation(rx, pre, conts, att_plain)
        ad = attention_distill_loss(att, att_plain, plain_index(rtok, prompts, pre, pam.shape[1]), pam, cam)
        total = total + attn_distill * ad
        dl = dl + ad
    return total, ce, dl


@torch.no_grad()
def c2c_generate(rx, sx, fz, rtok, stok, prompts, strategy, max_new=16, bs=64):
    nl = set(i for s, i in rtok.vocab.items() if "Ċ" in s)
    outs = []
    for b0 in range(0, len(prompts), bs):
        ps = prompts[b0:b0 + bs]
        B = len(ps)
        d = prepare(rtok, stok, ps, strategy)
        past, pam = fused_past(rx, sx, fz, d)
        am = torch.cat([pam, torch.ones(B, 1, dtype=torch.long, device=C.DEV)], 1)
        pos = (d["nlen"].to(C.DEV) - 1).unsqueeze(1)
        logits, past = rx(d["last"].to(C.DEV).unsqueeze(1), am, pos, past)
        gen, done = [[] for _ in range(B)], [False] * B
        nxt = logits[:, -1].argmax(-1)
        for step in range(max_new):
            for i in range(B):
                if not done[i]:
                    t = int(nxt[i])
                    if t == bpe.EOS or t in nl:
                        done[i] = True
                    else:
                        gen[i].append(t)
            if all(done) or step == max_new - 1:
                break
            am = torch.cat([am, torch.ones(B, 1, dtype=torch.long, device=C.DEV)], 1)
            pos = pos + 1
            logits, past = rx(nxt.unsqueeze(1), am, pos, past)
            nxt = logits[:, -1].argmax(-1)
        outs.extend(rtok.decode(g).strip() for g in gen)
    return outs
