"""Request-category (诉求分类) text classifier.

Pure Python / scikit-learn, no Django imports, so it can be used from the
web app, from management commands, from tasks and from plain scripts.

The model is a FeatureUnion of two TF-IDF views of the text —

* words: jieba tokens, unigrams + bigrams;
* characters: char n-grams (1–3), robust to typos, homophones and
  jieba segmentation mistakes —

followed by a multinomial logistic regression, whose ``predict_proba`` gives
a score per category that sums to 1.

The trained model ships with the project as ``model.joblib`` next to this
file (built by ``python -m appeals.classifier.train``); nothing is
downloaded at run time (jieba's dictionary is inside the jieba package).
"""

from __future__ import annotations

import csv
import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
TRAIN_PATH = DATA_DIR / "train.csv"
HELDOUT_PATH = DATA_DIR / "heldout.csv"
DEFAULT_MODEL_PATH = PACKAGE_DIR / "model.joblib"
METRICS_PATH = PACKAGE_DIR / "metrics.json"
CATEGORIES_PATH = PACKAGE_DIR.parent / "data" / "request_categories.csv"

RANDOM_STATE = 20261128

# Hyper-parameters chosen by cross-validation on train.csv only
# (see ``appeals.classifier.train --tune``).
DEFAULT_C = 30.0

_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$", re.UNICODE)


def load_categories(path: Path | str = CATEGORIES_PATH) -> list[dict[str, str]]:
    """The 20 request categories (code, name, covers, lead_department)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def category_codes() -> list[str]:
    return [row["code"] for row in load_categories()]


def normalize(text: str) -> str:
    """NFKC (full-width → half-width letters/digits), lower-case, squeeze spaces."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.lower().split())


def jieba_tokenize(text: str) -> list[str]:
    """Word tokens from jieba, without whitespace / punctuation tokens.

    Defined at module level so the fitted pipeline can be pickled by joblib
    and loaded in a fresh process.
    """
    return [tok for tok in jieba.lcut(text) if tok.strip() and not _PUNCT_OR_SPACE.match(tok)]


def build_pipeline(C: float = DEFAULT_C, char_ngram_range: tuple[int, int] = (1, 3)):
    """An unfitted sklearn Pipeline: words + char n-grams → logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    words = TfidfVectorizer(
        preprocessor=normalize,
        tokenizer=jieba_tokenize,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
    )
    chars = TfidfVectorizer(
        preprocessor=normalize,
        analyzer="char_wb",
        ngram_range=char_ngram_range,
        sublinear_tf=True,
        min_df=2,
    )
    return Pipeline(
        [
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            (
                "clf",
                LogisticRegression(
                    C=C,
                    max_iter=5000,
                    random_state=RANDOM_STATE,
                ),
            ),
        ]
    )


def read_rows(path: Path | str) -> list[tuple[str, str]]:
    """(text, category) rows from a labelled CSV with columns text,category."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [(row["text"], row["category"]) for row in csv.DictReader(fh)]


def _slim(pipeline) -> None:
    """Drop fitted attributes that are only for introspection (keeps the file small)."""
    import numpy as np

    for _name, vec in pipeline.named_steps["features"].transformer_list:
        if hasattr(vec, "stop_words_"):
            vec.stop_words_ = None
    # float32 weights halve the file; scores change by < 1e-5.
    clf = pipeline.named_steps["clf"]
    clf.coef_ = np.ascontiguousarray(clf.coef_, dtype=np.float32)


def train(rows: Iterable[tuple[str, str]], **params):
    """Fit a fresh pipeline on (text, category) rows and return it."""
    rows = list(rows)
    if not rows:
        raise ValueError("no training rows")
    texts = [t for t, _ in rows]
    labels = [c for _, c in rows]
    pipeline = build_pipeline(**params)
    pipeline.fit(texts, labels)
    _slim(pipeline)
    return pipeline


@functools.lru_cache(maxsize=4)
def load_model(path: Path | str = DEFAULT_MODEL_PATH):
    """Load (once per process and path) the shipped, fitted pipeline."""
    import joblib

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"classifier model not found at {path}; build it with `python -m appeals.classifier.train`")
    return joblib.load(path)


def rank(pipeline, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
    """For each text, every category code with its score, best first."""
    probs = pipeline.predict_proba(list(texts))
    classes = [str(c) for c in pipeline.classes_]
    out = []
    for row in probs:
        pairs = sorted(zip(classes, (float(p) for p in row)), key=lambda kv: -kv[1])
        out.append(pairs)
    return out


def classify(text: str, top: int | None = None, model=None) -> list[tuple[str, float]]:
    """Rank the request categories for ``text``.

    Returns ``[(code, score), ...]`` best first; with ``top=None`` all 20
    codes are returned and the scores sum to 1. Raises ``ValueError`` for
    empty or whitespace-only text (there is nothing to classify).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if not text.strip():
        raise ValueError("cannot classify empty text: the request description is blank")
    if top is not None and top < 1:
        raise ValueError("top must be a positive integer or None")
    pipeline = model if model is not None else load_model()
    ranked = rank(pipeline, [text])[0]
    return ranked if top is None else ranked[:top]
