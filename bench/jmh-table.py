#!/usr/bin/env python3
"""Prints a Markdown table from a JMH JSON result file (-rf json), one row per benchmark and
parameter combination, with the score's error and, when -prof gc was on, allocation per op.

    bench/jmh-table.py result.json [--ratio-to PARAM=VALUE]

--ratio-to impl=sluice adds a column with each row's score divided by the score of the row that
has the same other parameters and impl=sluice (for average-time scores: >1 means slower than ours).
"""
import json
import sys


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    path = args[0]
    ratio = None
    if "--ratio-to" in args:
        k, v = args[args.index("--ratio-to") + 1].split("=", 1)
        ratio = (k, v)
    runs = json.load(open(path))
    params = sorted({p for r in runs for p in (r.get("params") or {})})
    rows = []
    for r in runs:
        name = r["benchmark"].rsplit(".", 2)
        name = name[-2] + "." + name[-1]
        p = r.get("params") or {}
        m = r["primaryMetric"]
        alloc = (r.get("secondaryMetrics") or {}).get("·gc.alloc.rate.norm") or \
            (r.get("secondaryMetrics") or {}).get("gc.alloc.rate.norm")
        rows.append((name, p, m["score"], m["scoreError"], m["scoreUnit"], alloc["score"] if alloc else None,
                     r.get("mode"), r.get("threads")))
    head = ["benchmark"] + params + ["score", "error", "unit"]
    if any(x[5] is not None for x in rows):
        head.append("B/op")
    if ratio:
        head.append(f"÷ {ratio[0]}={ratio[1]}")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, p, score, err, unit, alloc, mode, threads in rows:
        cells = [name] + [p.get(k, "") for k in params] + [f"{score:.1f}", f"± {err:.1f}", unit]
        if any(x[5] is not None for x in rows):
            cells.append("" if alloc is None else f"{alloc:.1f}")
        if ratio:
            key = {k: v for k, v in p.items() if k != ratio[0]}
            base = [x for x in rows if x[0] == name and x[1].get(ratio[0]) == ratio[1]
                    and {k: v for k, v in x[1].items() if k != ratio[0]} == key]
            cells.append(f"{score / base[0][2]:.2f}" if base else "")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
