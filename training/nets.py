"""The two decoder architectures. Both expose
forward(input_ids, attention_mask, position_ids, past) -> (logits, [(k, v), ...]) with HF/Optimum semantics:
past k/v [B, kv_heads, P, head_size]; attention_mask [B, P+S]; position_ids absolute."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = -1e9


def build_mask(attention_mask, S, P):
    """bool [B,1,S,P+S]: causal by index (past fully visible) AND attention_mask."""
    dev = attention_mask.device
    q_idx = torch.arange(S, device=dev) + P
    k_idx = torch.arange(P + S, device=dev)
    causal = k_idx.unsqueeze(0) <= q_idx.unsqueeze(1)  # [S, P+S]
    return causal.unsqueeze(0).unsqueeze(0) & (attention_mask > 0).unsqueeze(1).unsqueeze(2)


def mask_bias(attention_mask, S, P):
    """additive float form of build_mask, computed once per forward: one add per layer instead of a where over
    [B,H,S,T] (the where, its fill and the separate scale multiply were ~40% of a byte-level training step)."""
    m = build_mask(attention_mask, S, P)
    return torch.zeros(m.shape, device=m.device).masked_fill_(~m, NEG)


_SDPA = getattr(F, "scaled_dot_product_attention", None)  # torch >= 2.0; Debian's 1.13 has none


def attend(q, k, v, mask, head_size):
    """softmax(q k^T / sqrt(d) + mask) v. Fused (F.scaled_dot_product_attention) where torch has it and the graph is
    not being exported: the same function, several times faster on a GPU. The ONNX graph always gets the plain form,
    which is what opset 17 runtimes run."""
    if _SDPA is not None and not torch.onnx.is_in_onnx_export():
        return _SDPA(q, k, v, attn_mask=mask)
    att = torch.softmax(torch.matmul(q * (1.0 / math.sqrt(head_size)), k.transpose(-1, -2)) + mask, dim=-1)
    return torch.matmul(att, v)


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class RxLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, H, KV, D = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["head_size"]
        self.H, self.KV, self.D = H, KV, D
        self.ln1, self.ln2 = RMSNorm(d), RMSNorm(d)
        self.q = nn.Linear(d, H * D, bias=False)
        self.k = nn.Linear(d, KV * D, bias=False)
        self.v = nn.Linear(d, KV * D, bias=False)
        self.o = nn.Linear(H * D, d, bias=False)
        self.qn, self.kn = RMSNorm(D), RMSNorm(D)  # Qwen3-style q/k norm
        f = c["intermediate_size"]
        self.gate, self.up, self.down = nn.Linear(d, f, bias=False), nn.Linear(d, f, bias=False), nn.Linear(f, d, bias=False)

    def forward(self, x, cos, sin, mask, past):
        B, S, _ = x.shape
        h = self.ln1(x)
        q = self.qn(self.q(h).view(B, S, self.H, self.D)).transpose(1, 2)
        k = self.kn(self.k(h).view(B, S, self.KV, self.D)).transpose(1, 2)
        v = self.v(h).view(B, S, self.KV, self.D).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        present = (k, v)
        rep = self.H // self.KV
        T = k.shape[2]
        kk = k.unsqueeze(2).expand(B, self.KV, rep, T, self.D).reshape(B, self.H, T, self.D)
        vv = v.unsqueeze(2).expand(B, self.KV, rep, T, self.D).reshape(B, self.H, T, self.D)
        y = attend(q, kk, vv, mask, self.D).transpose(1, 2).reshape(B, S, self.H * self.D)
        x = x + self.o(y)
        h = self.ln2(x)
        x = x + self.down(F.silu(self.gate(h)) * self.up(h))
        return x, present


class Rx(nn.Module):
    """Llama/Qwen3-style receiver: RoPE, RMSNorm, SwiGLU, GQA, tied embeddings."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([RxLayer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"])
        D = c["head_size"]
        self.register_buffer("inv_freq", 1.0 / (c["rope_theta"] ** (torch.arange(0, D, 2).float() / D)), persistent=False)
        nn.init.normal_(self.embed.weight, std=0.02)

    def forward(self, input_ids, attention_mask, position_ids, past=None):
        B, S = input_ids.shape
        P = 0 if past is None else past[0][0].shape[2]
        x = self.embed(input_ids)
        fr = position_ids.float().unsqueeze(-1) * self.inv_freq  # [B,S,D/2]
        emb = torch.cat([fr, fr], dim=-1).unsqueeze(1)           # [B,1,S,D]
        cos, sin = emb.cos(), emb.sin()
        mask = mask_bias(attention_mask, S, P)
        presents = []
        for i, layer in enumerate(self.layers):
            x, pr = layer(x, cos, sin, mask, None if past is None else past[i])
            presents.append(pr)
        logits = F.linear(self.norm(x), self.embed.weight)
        return logits, presents


class SxLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, H, D = c["hidden_size"], c["num_attention_heads"], c["head_size"]
        self.H, self.D = H, D
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * H * D)
        self.o = nn.Linear(H * D, d)
        self.fc, self.proj = nn.Linear(d, c["intermediate_size"]), nn.Linear(c["intermediate_size"], d)
        self.R = c.get("rotary_dim", D)

    def rotate(self, x, cos, sin):
        """RoPE on the first rotary_dim dims of each head; the rest carry no position, so that a query can match
        content (a name) hundreds of bytes back, where every rotated pair with theta 500 has turned many times."""
        if self.R == self.D:
            return x * cos + rotate_half(x) * sin
        r = x[..., :self.R]
        return torch.cat([r * cos + rotate_half(r) * sin, x[..., self.R:]], dim=-1)

    def forward(self, x, mask, past, cos, sin):
        B, S, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(self.H * self.D, dim=-1)
        q = q.view(B, S, self.H, self.D).transpose(1, 2)
        k = k.view(B, S, self.H, self.D).transpose(1, 2)
        v = v.view(B, S, self.H, self.D).transpose(1, 2)
        q, k = self.rotate(q, cos, sin), self.rotate(k, cos, sin)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        y = attend(q, k, v, mask, self.D).transpose(1, 2).reshape(B, S, self.H * self.D)
        x = x + self.o(y)
        x = x + self.proj(F.gelu(self.fc(self.ln2(x))))
        return x, (k, v)


class Sx(nn.Module):
    """GPT-2-style sharer (LayerNorm, GELU MLP, biases, plain multi-head attention, untied head) with RoPE
    (theta 500) instead of learned positions: learned positions made byte-level copying far too slow on CPU."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(c["vocab_size"], c["hidden_size"])
        R = c.get("rotary_dim", c["head_size"])
        self.register_buffer("inv_freq", 1.0 / (c["rope_theta"] ** (torch.arange(0, R, 2).float() / R)), persistent=False)
        self.layers = nn.ModuleList([SxLayer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = nn.LayerNorm(c["hidden_size"])
        self.head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        nn.init.normal_(self.embed.weight, std=0.02)

    def forward(self, input_ids, attention_mask, position_ids, past=None):
        B, S = input_ids.shape
        P = 0 if past is None else past[0][0].shape[2]
        x = self.embed(input_ids)
        fr = position_ids.float().unsqueeze(-1) * self.inv_freq
        emb = torch.cat([fr, fr], dim=-1).unsqueeze(1)
        cos, sin = emb.cos(), emb.sin()
        mask = mask_bias(attention_mask, S, P)
        presents = []
        for i, layer in enumerate(self.layers):
            x, pr = layer(x, mask, None if past is None else past[i], cos, sin)
            presents.append(pr)
        return self.head(self.norm(x)), presents


RX_CONFIG = {"type": "llama", "vocab_size": 1024, "hidden_size": 128, "num_attention_heads": 4, "num_key_value_heads": 2,
             "head_size": 32, "num_hidden_layers": 4, "intermediate_size": 384, "rope_theta": 10000.0,
             "context_length": 512}
# 2 heads of 48 with RoPE on 16 dims of each (session 9): the same plateau as 6 heads of 16 at half the CPU time per
# step (per-head softmax over hundreds of bytes dominates at this width), and val script 67.7% after phase b (6x16: 63.3%)
SX_CONFIG = {"type": "gpt2", "vocab_size": 259, "hidden_size": 96, "num_attention_heads": 2, "num_key_value_heads": 2,
             "head_size": 48, "num_hidden_layers": 6, "intermediate_size": 384, "context_length": 512,
             "rope_theta": 500.0, "rotary_dim": 16}


def set_sx_shape(shape):
    """`LAYERSxHIDDENxHEADS` (e.g. 8x192x12): resizes SX_CONFIG in place, so that every stage and the fuser see the
    same sharer; head size = hidden / heads, MLP = 4 x hidden. For a sharer wider than the committed 6x96x2, which
    plateaued at 58-68% on val script passages (training/README). A rotary_dim that does not fit under the new head
    size is dropped (RoPE on all dims)."""
    n, d, h = (int(x) for x in shape.lower().split("x"))
    if d % h or d // h == RX_CONFIG["head_size"]:
        raise ValueError(f"sx shape {shape}: hidden must split into heads of a size other than the receiver's")
    SX_CONFIG.update(num_hidden_layers=n, hidden_size=d, num_attention_heads=h, num_key_value_heads=h,
                     head_size=d // h, intermediate_size=4 * d)
    if SX_CONFIG.get("rotary_dim", 0) >= d // h:
        SX_CONFIG.pop("rotary_dim")


def set_sx_rotary_dim(r):
    """RoPE on only the first r dims of each sharer head (0: all dims, as the 6x96x6 sharers before session 9;
    negative: keep SX_CONFIG's). Absent from SX_CONFIG when all dims rotate, so that such checkpoints match."""
    D = SX_CONFIG["head_size"]
    if r < 0:
        return
    if r == 0 or r == D:
        SX_CONFIG.pop("rotary_dim", None)
        return
    if r % 2 or r > D:
        raise ValueError(f"sx rotary dim {r}: must be even and at most the head size {D}")
    SX_CONFIG["rotary_dim"] = r


def make(kind, c):
    return Rx(c) if kind == "llama" else Sx(c)
