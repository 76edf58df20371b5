#!/usr/bin/python3
"""Rebuilds training/.cache/<mid>.pt from the committed models/<mid>/model.onnx, so that later stages (fuser, eval,
export of another model) can run on a fresh checkout without retraining what is already committed. The weights are
read from the ONNX initializers; each restored model must reproduce its golden logits (models/golden) or nothing is
written.  Usage: /usr/bin/python3 training/restore_cache.py [rx rx-ft sx]"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

import common as C  # noqa: E402
import nets  # noqa: E402
import stages2  # noqa: E402


def matmul_weights(g):
    """weight initializers in the order the graph's MatMul nodes use them (the exporter transposes Linear weights
    and renames them onnx::MatMul_N)."""
    init = {i.name: i for i in g.initializer}
    out = []
    for n in g.node:
        if n.op_type == "MatMul":
            for x in n.input:
                if x in init and x.startswith("onnx::MatMul") and x not in out:
                    out.append(x)
    return [torch.from_numpy(numpy_helper.to_array(init[x]).copy()) for x in out]


def restore(mid):
    """the model's weights from its ONNX graph into a cache checkpoint, after a golden check."""
    cfg = stages2.CFG[mid]
    g = onnx.load(os.path.join(C.MODELS, mid, "model.onnx")).graph
    named = {i.name[2:]: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in g.initializer
             if i.name.startswith("m.")}
    m = nets.make(cfg["type"], cfg)
    sd = m.state_dict()
    mats = matmul_weights(g)
    per_layer = ["q", "k", "v", "o", "gate", "up", "down"] if cfg["type"] == "llama" else ["qkv", "o", "fc", "proj"]
    n = cfg["num_hidden_layers"]
    if len(mats) != n * len(per_layer) + 1:
        sys.exit(f"{mid}: {len(mats)} MatMul weights, expected {n * len(per_layer) + 1}; is nets.py's config the "
                 f"committed model's?")
    for i in range(n):
        for j, name in enumerate(per_layer):
            named[f"layers.{i}.{name}.weight"] = mats[i * len(per_layer) + j].t().contiguous()
    if cfg["type"] != "llama":  # the sharer's head is untied (the receiver's last MatMul is its embedding)
        named["head.weight"] = mats[-1].t().contiguous()
    missing = [k for k in sd if k not in named]
    if missing:
        sys.exit(f"{mid}: no weights for {missing}")
    m.load_state_dict({k: named[k] for k in sd})
    check(mid, m)
    man = json.load(open(os.path.join(C.MODELS, "MANIFEST.json")))["models"][mid]
    os.makedirs(C.CACHE, exist_ok=True)
    torch.save({"model": m.state_dict(), "val": man["val"], "final": True, "history": man.get("history"),
                "steps_run": man.get("step"), "restored_from": f"models/{mid}/model.onnx"},
               os.path.join(C.CACHE, mid + ".pt"))
    ip = os.path.join(C.CACHE, "model_info.json")  # what stage_export would have recorded for this model
    info = json.load(open(ip)) if os.path.exists(ip) else {}
    info[mid] = man
    json.dump(info, open(ip, "w"), indent=1)
    print(f"{mid}: restored from ONNX, golden logits match")


@torch.no_grad()
def check(mid, m):
    m.eval()
    for name in ("plain", "script", "chunked"):
        gd = json.load(open(os.path.join(C.MODELS, "golden", f"{mid}-{name}.json")))
        ids, p0, past = gd["input_ids"], 0, None
        for ch in gd["prefill_chunks"]:
            x = torch.tensor([ids[p0:p0 + ch]])
            am = torch.ones(1, p0 + ch, dtype=torch.long)
            logits, past = m(x, am, torch.arange(p0, p0 + ch).unsqueeze(0), past)
            p0 += ch
        diff = (logits[0, -1] - torch.tensor(gd["last_logits"])).abs().max().item()
        if diff > 1e-4:
            sys.exit(f"{mid}: golden {name} differs by {diff:.2e}; not restored")


if __name__ == "__main__":
    for mid in sys.argv[1:] or ["rx", "rx-ft", "sx"]:
        restore(mid)
