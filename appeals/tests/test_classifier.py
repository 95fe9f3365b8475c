"""Tests for the request-category classifier (no database, no Django settings needed)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from appeals.classifier import model as m

CODES = m.category_codes()
_STRIP = re.compile(r"[\W_]+", re.UNICODE)


def _norm(text: str) -> str:
    return _STRIP.sub("", m.normalize(text))


@pytest.fixture(scope="module")
def train_rows():
    return m.read_rows(m.TRAIN_PATH)


@pytest.fixture(scope="module")
def heldout_rows():
    return m.read_rows(m.HELDOUT_PATH)


@pytest.fixture(scope="module")
def pipeline():
    return m.load_model()


def test_categories_copy_has_twenty_codes():
    assert len(CODES) == 20
    assert len(set(CODES)) == 20
    assert "other" in CODES


def test_every_label_is_a_known_code(train_rows, heldout_rows):
    assert {c for _, c in train_rows} <= set(CODES)
    assert {c for _, c in heldout_rows} <= set(CODES)


def test_each_category_has_enough_training_rows(train_rows):
    counts = Counter(c for _, c in train_rows)
    thin = {code: counts.get(code, 0) for code in CODES if counts.get(code, 0) < 40}
    assert not thin, f"categories with < 40 training rows: {thin}"


def test_every_category_is_in_heldout(heldout_rows):
    counts = Counter(c for _, c in heldout_rows)
    assert set(counts) == set(CODES)
    assert min(counts.values()) >= 10


def test_no_heldout_text_in_training(train_rows, heldout_rows):
    train_exact = {t for t, _ in train_rows}
    train_norm = {_norm(t) for t, _ in train_rows}
    exact = [t for t, _ in heldout_rows if t in train_exact]
    assert not exact, f"held-out lines found verbatim in train.csv: {exact[:5]}"
    fuzzy = [t for t, _ in heldout_rows if _norm(t) in train_norm]
    assert not fuzzy, f"held-out lines found in train.csv after stripping punctuation: {fuzzy[:5]}"


def test_no_blank_or_duplicate_rows(train_rows, heldout_rows):
    for rows in (train_rows, heldout_rows):
        assert all(t.strip() for t, _ in rows)
        norms = [_norm(t) for t, _ in rows]
        dups = [t for t, n in Counter(norms).items() if n > 1]
        assert not dups, f"duplicate rows: {dups[:5]}"


def test_heldout_accuracy_meets_target(pipeline, heldout_rows):
    ranked = m.rank(pipeline, [t for t, _ in heldout_rows])
    golds = [c for _, c in heldout_rows]
    top1 = sum(r[0][0] == g for r, g in zip(ranked, golds)) / len(golds)
    top3 = sum(g in [c for c, _ in r[:3]] for r, g in zip(ranked, golds)) / len(golds)
    assert top1 >= 0.85, f"held-out top-1 {top1:.3f} < 0.85"
    assert top3 >= 0.95, f"held-out top-3 {top3:.3f} < 0.95"


def test_classify_ranks_all_codes_and_scores_sum_to_one():
    result = m.classify("小区电梯坏了三天了物业不管")
    assert [c for c, _ in result] and sorted(c for c, _ in result) == sorted(CODES)
    scores = [s for _, s in result]
    assert abs(sum(scores) - 1.0) < 1e-6
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_classify_top_limits_result():
    assert len(m.classify("楼下烧烤摊太吵了", top=3)) == 3
    assert len(m.classify("楼下烧烤摊太吵了", top=1)) == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我们楼的电梯又坏了，物业一直不来修", "property"),
        ("楼上装修电钻从早响到晚，吵得没法休息", "noise"),
        ("路灯坏了一个月了，晚上路上黑漆漆的", "municipal"),
        ("我家电动车昨晚在楼下被偷了", "public_security"),
        ("有人把电动车推进楼道里充电，太危险了", "fire_safety"),
        ("我们家停水了，什么时候来水", "utilities"),
        ("老板拖欠我们三个月工资不给", "employment"),
        ("低保怎么申请，家里实在困难", "social_assistance"),
        ("饭店油烟直接排到我家窗户里", "environment"),
        ("闻到很重的煤气味，好像燃气泄漏了", "emergency"),
        ("超市卖过期食品", "market"),
        ("残疾证怎么办理", "disability"),
    ],
)
def test_unmistakable_sentences(text, expected):
    assert m.classify(text, top=1)[0][0] == expected


@pytest.mark.parametrize("blank", ["", "   ", "\n\t ", "\u3000"])
def test_blank_text_raises_value_error(blank):
    with pytest.raises(ValueError, match="empty"):
        m.classify(blank)


def test_bad_top_raises():
    with pytest.raises(ValueError):
        m.classify("电梯坏了", top=0)


def test_model_file_is_small_and_loads_in_fresh_process():
    assert m.DEFAULT_MODEL_PATH.exists()
    assert m.DEFAULT_MODEL_PATH.stat().st_size < 8 * 1024 * 1024
    repo_root = Path(m.__file__).resolve().parents[2]
    code = "from appeals.classifier import model as m; print(m.classify('楼道里堆满了纸箱子和旧家具', top=1)[0][0])"
    out = subprocess.run([sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "fire_safety"
