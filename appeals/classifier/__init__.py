"""Request-category (诉求分类) text classifier — see model.py."""

from .model import build_pipeline, classify, load_model, train  # noqa: F401
