"""Bench: request-category classification — median latency per request and memory of the loaded model.

    .venv/bin/python bench/appeals_classify.py [--repeat 5]

Loads the shipped model (appeals/classifier/model.joblib) in this process and reports:
- resident memory added by loading it (RSS before/after, from /proc) and the file size;
- median and p95 latency of classify(text) over the held-out texts (one text per call, as
  POST /api/appeals/classify does), against the baseline of jieba word segmentation alone of
  the same texts in the same run (the floor any word-based classifier pays);
- the same through the HTTP handler in-process (Django test client), which adds JSON and routing.
"""

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn, texts: list[str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        for text in texts:
            t0 = time.perf_counter()
            fn(text)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, int(len(values) * q) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import jieba

    from appeals.classifier import model as clf

    jieba.lcut("预热分词词典")  # jieba's dictionary is not part of the model
    with open(clf.HELDOUT_PATH, encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]

    start = rss_mb()
    import joblib  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.pipeline  # noqa: F401

    before = rss_mb()
    t0 = time.perf_counter()
    clf.load_model()
    load_s = time.perf_counter() - t0
    after = rss_mb()
    size_mb = clf.DEFAULT_MODEL_PATH.stat().st_size / 1024 / 1024

    clf.classify(texts[0])
    base = timed(jieba.lcut, texts, args.repeat)
    full = timed(clf.classify, texts, args.repeat)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    os.environ.setdefault("SHEQU_VAR_DIR", "/tmp/shequ_appeals_bench_classify")  # noqa: S108
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()

    def over_http(text: str) -> None:
        response = client.post("/api/appeals/classify", {"text": text}, content_type="application/json")
        assert response.status_code == 200, response.status_code

    api = timed(over_http, texts[:200], 1)

    print(f"texts: {len(texts)} held-out × {args.repeat}")
    print(f"model file: {size_mb:.1f} MB; loaded model RSS +{after - before:.1f} MB "
          f"(scikit-learn libraries themselves +{before - start:.1f} MB), load {load_s:.2f} s")
    print(f"jieba segmentation alone: median {statistics.median(base):.2f} ms, p95 {pct(base, 0.95):.2f} ms")
    print(f"classify():               median {statistics.median(full):.2f} ms, p95 {pct(full, 0.95):.2f} ms "
          f"({statistics.median(full) / statistics.median(base):.1f}× segmentation)")
    if api:
        print(f"POST /api/appeals/classify (in-process): median {statistics.median(api):.2f} ms, p95 {pct(api, 0.95):.2f} ms")


if __name__ == "__main__":
    main()
