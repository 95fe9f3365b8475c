"""Train the request-category classifier and evaluate it on the held-out set.

    python -m appeals.classifier.train            # train, save, evaluate
    python -m appeals.classifier.train --tune     # also cross-validate C on train.csv

Trains on ``data/train.csv`` only, saves ``model.joblib`` (compress=3), then
scores ``data/heldout.csv`` (never used for training or tuning) and writes
``metrics.json``. Deterministic: fixed random_state, fixed data order.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import joblib
import sklearn

from . import model as m


def evaluate(pipeline, rows):
    """top-1 / top-3 accuracy and per-category top-1 on (text, category) rows."""
    ranked = m.rank(pipeline, [t for t, _ in rows])
    hit1 = hit3 = 0
    per: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])  # code -> [correct, total]
    confusions: Counter[tuple[str, str]] = Counter()
    for (_text, gold), ranking in zip(rows, ranked):
        codes = [c for c, _ in ranking]
        per[gold][1] += 1
        if codes[0] == gold:
            hit1 += 1
            per[gold][0] += 1
        else:
            confusions[(gold, codes[0])] += 1
        if gold in codes[:3]:
            hit3 += 1
    n = len(rows)
    return {
        "top1": hit1 / n,
        "top3": hit3 / n,
        "per_category": {code: {"n": tot, "top1": ok / tot} for code, (ok, tot) in sorted(per.items())},
        "confusions": confusions,
    }


def cross_validate(rows, folds=5, **params):
    """Stratified k-fold top-1 / top-3 on the training rows only (an estimate for unseen text)."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    texts = np.array([t for t, _ in rows], dtype=object)
    labels = np.array([c for _, c in rows])
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=m.RANDOM_STATE)
    top1, top3 = [], []
    for tr, te in skf.split(texts, labels):
        p = m.train(zip(texts[tr], labels[tr]), **params)
        r = evaluate(p, list(zip(texts[te], labels[te])))
        top1.append(r["top1"])
        top3.append(r["top3"])
    return {"folds": folds, "top1": round(float(np.mean(top1)), 4), "top3": round(float(np.mean(top3)), 4)}


def tune(rows, grid=(1.0, 3.0, 10.0, 30.0, 100.0)):
    """5-fold stratified CV of C on the training rows only."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    texts = np.array([t for t, _ in rows], dtype=object)
    labels = np.array([c for _, c in rows])
    skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=m.RANDOM_STATE)
    results = {}
    for C in grid:
        for char_range in ((1, 3), (2, 4)):
            top1 = []
            for tr, te in skf.split(texts, labels):
                p = m.train(zip(texts[tr], labels[tr]), C=C, char_ngram_range=char_range)
                top1.append(evaluate(p, list(zip(texts[te], labels[te])))["top1"])
            score = float(np.mean(top1))
            results[(C, char_range)] = score
            print(f"  CV C={C:<6} chars={char_range}  top-1={score:.3f}", flush=True)
    best = max(results, key=lambda k: results[k])
    print(f"  best: C={best[0]} chars={best[1]} ({results[best]:.3f})")
    return best


_PROBE = textwrap.dedent(
    """
    import json, statistics, sys, time
    def rss_kib():
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    from appeals.classifier import model as m
    texts = [t for t, _ in m.read_rows(m.HELDOUT_PATH)]
    r0 = rss_kib()
    import jieba
    jieba.initialize()                      # jieba's dictionary (from inside the package)
    r1 = rss_kib()
    import joblib, sklearn.pipeline, sklearn.linear_model, sklearn.feature_extraction.text
    r2 = rss_kib()
    t0 = time.perf_counter()
    pipe = m.load_model(sys.argv[1])
    load_s = time.perf_counter() - t0
    m.classify("小区电梯又坏了", model=pipe)   # warm-up
    for t in texts[:20]:
        m.classify(t, model=pipe)
    r3 = rss_kib()
    lat, cpu = [], []
    for t in texts:
        t0, c0 = time.perf_counter(), time.process_time()
        m.classify(t, model=pipe)
        lat.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    lat.sort()
    print(json.dumps({
        "rss_start_kib": r0, "rss_jieba_kib": r1, "rss_sklearn_kib": r2, "rss_loaded_kib": r3,
        "load_seconds": load_s,
        "median_ms": statistics.median(lat),
        "median_cpu_ms": statistics.median(cpu),
        "p95_ms": lat[int(0.95 * (len(lat) - 1))],
    }))
    """
)


def probe_fresh_process(model_path: Path) -> dict:
    """Load the saved model in a fresh interpreter; measure latency and memory."""
    repo_root = m.PACKAGE_DIR.parent.parent
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _PROBE, str(model_path)],
        cwd=repo_root,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tune", action="store_true", help="cross-validate hyper-parameters on train.csv first")
    ap.add_argument("--cv", action="store_true", help="also report 5-fold cross-validation on train.csv (slow)")
    ap.add_argument("--model", type=Path, default=m.DEFAULT_MODEL_PATH)
    ap.add_argument("--metrics", type=Path, default=m.METRICS_PATH)
    args = ap.parse_args(argv)

    codes = m.category_codes()
    train_rows = m.read_rows(m.TRAIN_PATH)
    heldout_rows = m.read_rows(m.HELDOUT_PATH)
    for name, rows in (("train", train_rows), ("heldout", heldout_rows)):
        bad = sorted({c for _, c in rows} - set(codes))
        if bad:
            raise SystemExit(f"{name}.csv has unknown category codes: {bad}")
    print(f"train: {len(train_rows)} rows, held-out: {len(heldout_rows)} rows, {len(codes)} categories")

    params = {}
    if args.tune:
        C, char_range = tune(train_rows)
        params = {"C": C, "char_ngram_range": char_range}

    cv = None
    if args.cv:
        cv = cross_validate(train_rows, **params)
        print(f"5-fold CV on train.csv: top-1 {cv['top1']:.3f}  top-3 {cv['top3']:.3f}")

    t0 = time.perf_counter()
    pipeline = m.train(train_rows, **params)
    fit_seconds = time.perf_counter() - t0
    args.model.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, args.model, compress=3)
    size = args.model.stat().st_size
    print(f"saved {args.model} ({size / 1024:.0f} KiB, fit {fit_seconds:.1f}s)")

    result = evaluate(pipeline, heldout_rows)
    names = {row["code"]: row["name"] for row in m.load_categories()}
    print(f"\nheld-out top-1: {result['top1']:.3f}   top-3: {result['top3']:.3f}\n")
    print(f"{'category':<18} {'name':<12} {'n':>3}  top-1")
    for code in codes:
        pc = result["per_category"].get(code)
        if pc:
            print(f"{code:<18} {names[code]:<12} {pc['n']:>3}  {pc['top1']:.2f}")
    if result["confusions"]:
        print("\nmost common confusions (gold -> predicted):")
        for (gold, pred), n in result["confusions"].most_common(10):
            print(f"  {gold} -> {pred}: {n}")

    probe = probe_fresh_process(args.model)
    mib = lambda a, b: round((probe[b] - probe[a]) / 1024, 1)  # noqa: E731
    memory = {
        "jieba_dictionary_mib": mib("rss_start_kib", "rss_jieba_kib"),
        "sklearn_scipy_import_mib": mib("rss_jieba_kib", "rss_sklearn_kib"),
        "model_mib": mib("rss_sklearn_kib", "rss_loaded_kib"),
        "process_total_mib": round(probe["rss_loaded_kib"] / 1024, 1),
        "method": "VmRSS deltas in a fresh interpreter: jieba.initialize(), importing sklearn, then load_model() + warm-up",
    }
    print(
        f"\nfresh-process load OK ({probe['load_seconds']:.2f}s); median classify() {probe['median_ms']:.2f} ms, "
        f"p95 {probe['p95_ms']:.2f} ms, median CPU time {probe['median_cpu_ms']:.2f} ms "
        f"over {len(heldout_rows)} held-out texts\n"
        f"RSS: jieba dictionary {memory['jieba_dictionary_mib']} MiB, sklearn/scipy import "
        f"{memory['sklearn_scipy_import_mib']} MiB, model {memory['model_mib']} MiB "
        f"(process total {memory['process_total_mib']} MiB)"
    )

    clf = pipeline.named_steps["clf"]
    metrics = {
        "n_train": len(train_rows),
        "n_heldout": len(heldout_rows),
        "train_per_category": dict(sorted(Counter(c for _, c in train_rows).items())),
        "top1": round(result["top1"], 4),
        "top3": round(result["top3"], 4),
        "per_category": {k: {"n": v["n"], "top1": round(v["top1"], 4)} for k, v in result["per_category"].items()},
        "model": {
            "classifier": type(clf).__name__,
            "C": clf.C,
            "char_ngram_range": list(pipeline.named_steps["features"].transformer_list[1][1].ngram_range),
            "n_features": int(clf.coef_.shape[1]),
            "file_bytes": size,
        },
        "train_cv": cv,
        "latency_ms": {
            "median": round(probe["median_ms"], 3),
            "p95": round(probe["p95_ms"], 3),
            "median_cpu": round(probe["median_cpu_ms"], 3),
            "load_average_1min": round(os.getloadavg()[0], 2),
            "note": "one classify() call per held-out text, after warm-up, in a fresh process; wall time depends on machine load",
        },
        "memory": memory,
        "load_seconds": round(probe["load_seconds"], 3),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sklearn_version": sklearn.__version__,
        "python_version": sys.version.split()[0],
        "random_state": m.RANDOM_STATE,
    }
    args.metrics.write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.metrics}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
