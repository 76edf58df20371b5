#!/usr/bin/python3
"""Prints the markdown results tables from models/REFERENCE.json (pasted into training/README.md)."""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ref = json.load(open(os.path.join(ROOT, "models", "REFERENCE.json")))
cols = ["receiver", "sharer", "receiver_ft", "text", "c2c", "c2c_last", "c2c_first", "chance"]
sets = ["context_script", "context_plain", "knowledge"]
print("| test set | n | " + " | ".join(cols) + " |")
print("|---|---|" + "---|" * len(cols))
for s in sets:
    e = ref[s]
    n = e["receiver"]["n"]
    print(f"| {s} | {n} | " + " | ".join(f"{100 * e[c]['accuracy']:.1f}%" if c in e else "-" for c in cols) + " |")
print(f"\nC2C alignment chosen on val: `{ref['context_script']['c2c'].get('alignment')}`")
if ref.get("probe"):
    t = ref["probe"]["table"]
    layers = list(next(iter(t.values())).keys())
    print("\nLinear probe (val accuracy) for the asked person's city from sharer K|V, script passages:\n")
    print("| position | " + " | ".join(layers) + " |")
    print("|---|" + "---|" * len(layers))
    for p, row in t.items():
        print(f"| {p} | " + " | ".join(f"{100 * row[l]:.1f}%" for l in layers) + " |")
    print(f"\n({ref['probe']['description']})")
if any("errors" in ref[s].get("receiver", {}) for s in sets[:2]):
    kinds = ["correct", "binding", "not_in_passage", "malformed"]
    print("\nWhat the answers are (test, context sets): binding = a value from the passage that belongs to another "
          "person or attribute; not_in_passage = a valid value of the asked attribute that the passage does not "
          "hold; malformed = not a value of that attribute:\n")
    print("| test set | method | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    for s in sets[:2]:
        for c in cols:
            e = ref[s].get(c, {}).get("errors")
            if e:
                print(f"| {s} | {c} | " + " | ".join(str(e[k]) for k in kinds) + " |")
