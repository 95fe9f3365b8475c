"""The shipped classifier model loads under the installed scikit-learn, the version pyproject.toml pins."""

import re
import tomllib
import warnings
import zlib
from pathlib import Path

import joblib
import sklearn
from sklearn.exceptions import InconsistentVersionWarning

from appeals.classifier.model import DEFAULT_MODEL_PATH

ROOT = Path(__file__).resolve().parent.parent.parent


def _built_with() -> str:
    """The scikit-learn version recorded in the model's pickle (each estimator's _sklearn_version)."""
    data = zlib.decompressobj().decompress(DEFAULT_MODEL_PATH.read_bytes())
    versions = set(re.findall(rb"_sklearn_version\W{1,8}([0-9][0-9a-z.]+)", data))
    assert len(versions) == 1, versions
    return versions.pop().decode()


def _pinned() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in config["project"]["dependencies"] if d.replace(" ", "").startswith("scikit-learn")]
    assert len(pins) == 1 and "==" in pins[0], f"scikit-learn must be pinned exactly: {pins}"
    return pins[0].split("==", 1)[1].strip()


def test_it_pins_the_scikit_learn_that_built_the_model() -> None:
    assert _pinned() == _built_with() == sklearn.__version__


def test_it_loads_the_model_without_a_version_warning_and_classifies() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        pipeline = joblib.load(DEFAULT_MODEL_PATH)
    # A street light that is out is a matter for 市政设施, as the category list says.
    assert [str(c) for c in pipeline.predict(["小区路灯坏了好几天，晚上出行很不方便"])] == ["municipal"]
