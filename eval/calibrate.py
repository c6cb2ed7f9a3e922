#!/usr/bin/env python3
"""Confidence calibration: for score thresholds, how many returned matches reach each one and the
share judged relevant (unjudged pairs count as not relevant, so the shares are lower bounds).

Usage: python3 eval/calibrate.py [RUN_DIR]   (default /tmp/matching-eval/tuned, as written by
`cargo test -p techmatch-matching --features eval --lib eval::tests::dev_set`).
"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    run_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/matching-eval/tuned"
    qrels = {}
    with open(os.path.join(HERE, "qrels.tsv")) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            qrels[(r["demand_id"], r["supply_id"])] = int(r["grade"])
    judged_supplies = {s for (_, s) in qrels}
    for direction in ("d2s", "s2d"):
        rows = []
        with open(os.path.join(run_dir, f"{direction}.tsv")) as f:
            for line in f:
                qid, doc, rank, score = line.rstrip("\n").split("\t")
                key = (doc, qid) if direction == "s2d" else (qid, doc)
                if direction == "s2d" and qid not in judged_supplies:
                    continue
                rows.append((int(rank), float(score), qrels.get(key, 0) > 0))
        relevant = sum(1 for r in rows if r[2])
        print(f"{direction}: {len(rows)} returned pairs, {relevant} judged relevant")
        for t in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
            sel = [r for r in rows if r[1] >= t]
            rel = sum(1 for r in sel if r[2])
            top = [r for r in sel if r[0] <= 10]
            top_rel = sum(1 for r in top if r[2])
            print(
                f"  score >= {t:.2f}: {len(sel):5d} pairs, {rel / max(1, len(sel)):.3f} judged relevant "
                f"(top 10: {top_rel / max(1, len(top)):.3f}), {rel / max(1, relevant):.3f} of the relevant kept"
            )


if __name__ == "__main__":
    main()
