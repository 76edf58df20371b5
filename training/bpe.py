"""Byte-level BPE trainer/encoder that writes a Hugging Face tokenizer.json and encodes exactly like
HF tokenizers (ByteLevel pre-tokenizer, add_prefix_space=false, use_regex=true, BPE without dropout)."""
import json
from collections import Counter

import regex

GPT2_PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
SPECIALS = ["<pad>", "<s>", "</s>"]  # ids 0, 1, 2
PAD, BOS, EOS = 0, 1, 2


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


B2U = bytes_to_unicode()
U2B = {v: k for k, v in B2U.items()}


def pretokenize(text):
    """-> list of (bytelevel_string, char_start, char_end)"""
    out = []
    for m in GPT2_PAT.finditer(text):
        out.append(("".join(B2U[b] for b in m.group().encode("utf-8")), m.start(), m.end()))
    return out


class Tokenizer:
    def __init__(self, vocab, merges):
        self.vocab = vocab                      # str -> id (includes specials)
        self.inv = {i: s for s, i in vocab.items()}
        self.merges = merges                    # list of (a, b)
        self.rank = {m: i for i, m in enumerate(merges)}
        self._cache = {}

    @classmethod
    def train(cls, texts, vocab_size):
        words = Counter()
        for t in texts:
            for w, _, _ in pretokenize(t):
                words[w] += 1
        vocab = {s: i for i, s in enumerate(SPECIALS)}
        for b in range(256):
            vocab[B2U[b]] = len(vocab)
        seqs = {w: list(w) for w in words}
        merges = []
        while len(vocab) < vocab_size:
            pairs = Counter()
            for w, c in words.items():
                s = seqs[w]
                for a, b in zip(s, s[1:]):
                    pairs[(a, b)] += c
            if not pairs:
                break
            best = max(pairs.items(), key=lambda kv: (kv[1], [-ord(ch) for ch in kv[0][0] + "\0" + kv[0][1]]))[0]
            merges.append(best)
            new = best[0] + best[1]
            vocab[new] = len(vocab)
            for w in words:
                s = seqs[w]
                if len(s) < 2:
                    continue
                i, o = 0, []
                while i < len(s):
                    if i < len(s) - 1 and s[i] == best[0] and s[i + 1] == best[1]:
                        o.append(new)
                        i += 2
                    else:
                        o.append(s[i])
                        i += 1
                seqs[w] = o
        return cls(vocab, merges)

    @classmethod
    def bytes_only(cls):
        vocab = {s: i for i, s in enumerate(SPECIALS)}
        for b in range(256):
            vocab[B2U[b]] = len(vocab)
        return cls(vocab, [])

    def _bpe(self, w):
        if w in self._cache:
            return self._cache[w]
        s = list(w)
        while len(s) > 1:
            best, bi = None, -1
            for i in range(len(s) - 1):
                r = self.rank.get((s[i], s[i + 1]))
                if r is not None and (best is None or r < best):
                    best, bi = r, i
            if best is None:
                break
            a, b = self.merges[best]
            o, i = [], 0
            while i < len(s):
                if i < len(s) - 1 and s[i] == a and s[i + 1] == b:
                    o.append(a + b)
                    i += 2
                else:
                    o.append(s[i])
                    i += 1
            s = o
        self._cache[w] = s
        return s

    def encode_with_offsets(self, text):
        """ids and (start,end) char offsets (for ASCII text; a token's span includes its leading space)."""
        ids, offs = [], []
        for w, st, _ in pretokenize(text):
            pos = st
            for piece in self._bpe(w):
                ids.append(self.vocab[piece])
                n = len(bytes(U2B[c] for c in piece).decode("utf-8", errors="ignore")) if piece else 0
                n = len(piece)  # ASCII world: one byte-level char per text char
                offs.append((pos, pos + n))
                pos += n
        return ids, offs

    def encode(self, text):
        return self.encode_with_offsets(text)[0]

    def decode(self, ids):
        bs = bytearray()
        for i in ids:
            s = self.inv[int(i)]
            if s in SPECIALS:
                continue
            bs.extend(U2B[c] for c in s)
        return bs.decode("utf-8", errors="replace")

    def __len__(self):
        return len(self.vocab)

    def to_hf_json(self):
        added = [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": True} for i, s in enumerate(SPECIALS)]
        return {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": self.vocab, "merges": [a + " " + b for a, b in self.merges]}}

    def save(self, path):
        with open(path, "w") as f:
            json.dump(self.to_hf_json(), f, ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, path):
        j = json.load(open(path))
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in j["model"]["merges"]]
        return cls(j["model"]["vocab"], merges)
