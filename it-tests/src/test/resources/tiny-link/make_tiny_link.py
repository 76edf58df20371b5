"""Writes a tiny but complete model set for node tests: rx/, sx/ (core's tiny-gqa and tiny-mha decoders with
character-level tokenizers), fuser-rx-sx/ (hand-built linear fuser graphs bound to those decoders' sha256) and
linkqa/context-test.jsonl. The weights are random, so answers are meaningless; what the tests check is that the
networked nodes reproduce core's in-process reference exactly.
Run with Debian's python3-onnx from this folder: /usr/bin/python3 make_tiny_link.py
"""
import hashlib, json, os, shutil
import numpy as np
import onnx
from onnx import helper, TensorProto, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
CORE = os.path.join(HERE, "../../../../../core/src/test/resources/fixtures/models")
CHARS = list("abcdefghijklmnopqrstuvwxyz :.?CQA")

def tokenizer(vocab_size, merges):
    specials = ["<pad>", "<s>", "</s>"]
    vocab = {t: i for i, t in enumerate(specials)}
    for c in CHARS:
        vocab[c] = len(vocab)
    for a, b in merges:
        vocab[a + b] = len(vocab)
    while len(vocab) < vocab_size:  # every model id decodes to something
        vocab["<x%d>" % len(vocab)] = len(vocab)
    assert len(vocab) == vocab_size, (len(vocab), vocab_size)
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, t in enumerate(specials)]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": None, "pre_tokenizer": None, "post_processor": None, "decoder": {"type": "Fuse"},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                      "ignore_merges": False, "vocab": vocab, "merges": [[a, b] for a, b in merges]}}

def model(name, source, merges):
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    for f in ("genai_config.json", "model.onnx"):
        shutil.copyfile(os.path.join(CORE, source, f), os.path.join(out, f))
    cfg = json.load(open(os.path.join(out, "genai_config.json")))["model"]
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer(cfg["vocab_size"], merges), f, indent=1)
    d = cfg["decoder"]
    sha = hashlib.sha256(open(os.path.join(out, "model.onnx"), "rb").read()).hexdigest()
    return d["num_hidden_layers"], d["num_key_value_heads"], d["head_size"], sha

RX_LAYERS, RX_HEADS, RX_DIM, RX_SHA = model("rx", "tiny-gqa", [])
SX_LAYERS, SX_HEADS, SX_DIM, SX_SHA = model("sx", "tiny-mha", [("t", "h"), ("e", " ")])
GATES = [1] * RX_LAYERS

def weight(l):
    i = np.arange(SX_HEADS * SX_DIM)[:, None]
    j = np.arange(RX_HEADS * RX_DIM)[None, :]
    return (((i * 7 + j * 3 + l) % 11) - 5).astype(np.float32) / 10

def branch(prefix, sharer, receiver, w, out):
    nodes = [
        helper.make_node("Transpose", [sharer], [prefix + "t"], perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", [prefix + "t", "flat_shape"], [prefix + "flat"]),
        helper.make_node("MatMul", [prefix + "flat", prefix + "w"], [prefix + "proj"]),
        helper.make_node("Reshape", [prefix + "proj", "head_shape"], [prefix + "heads"]),
        helper.make_node("Transpose", [prefix + "heads"], [prefix + "back"], perm=[0, 2, 1, 3]),
        helper.make_node("Add", [receiver, prefix + "back"], [out]),
    ]
    return nodes, numpy_helper.from_array(w, prefix + "w")

def layer_graph(l):
    nk, wk = branch("k_", "sharer_key", "receiver_key", weight(l), "fused_key")
    nv, wv = branch("v_", "sharer_value", "receiver_value", weight(l + 1), "fused_value")
    shapes = [numpy_helper.from_array(np.array([1, -1, SX_HEADS * SX_DIM], np.int64), "flat_shape"),
              numpy_helper.from_array(np.array([1, -1, RX_HEADS, RX_DIM], np.int64), "head_shape")]
    rx = lambda n: helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, RX_HEADS, "T", RX_DIM])
    sx = lambda n: helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, SX_HEADS, "T", SX_DIM])
    g = helper.make_graph(nk + nv, f"tiny_link_fuser_layer_{l}",
                          [rx("receiver_key"), rx("receiver_value"), sx("sharer_key"), sx("sharer_value")],
                          [rx("fused_key"), rx("fused_value")], [wk, wv] + shapes)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m

fuser = os.path.join(HERE, "fuser-rx-sx")
os.makedirs(fuser, exist_ok=True)
graphs = {}
for l, g in enumerate(GATES):
    if g:
        onnx.save(layer_graph(l), os.path.join(fuser, f"layer_{l}.onnx"))
        graphs[str(l)] = f"layer_{l}.onnx"
with open(os.path.join(fuser, "fuser.json"), "w") as f:
    json.dump({
        "format": "latentlink-fuser/1",
        "receiver": {"id": "rx", "sha256": RX_SHA},
        "sharer": {"id": "sx", "sha256": SX_SHA},
        "layer_map": [[l, l + SX_LAYERS - RX_LAYERS] for l in range(RX_LAYERS)],
        "gates": GATES,
        "graphs": graphs,
        "alignment": "last",
        "fuse_prefix": "all_but_last",
        "training": {"note": "hand-built test fixture, see make_tiny_link.py"},
    }, f, indent=2)

os.makedirs(os.path.join(HERE, "linkqa"), exist_ok=True)
questions = [("mia", "oslo"), ("theo", "rome"), ("ada", "lima"), ("bo", "the sea")]
with open(os.path.join(HERE, "linkqa", "context-test.jsonl"), "w") as f:
    for i, (who, city) in enumerate(questions):
        prompt = f"Context: {who} in {city}. Question: {who}? Answer:"  # short: the context length is 64
        f.write(json.dumps({"id": f"tiny-{i}", "task": "context", "split": "test", "form": "plain",
                            "prompt": prompt, "answer": " " + city,
                            "attribute": "city", "person": who}) + "\n")
