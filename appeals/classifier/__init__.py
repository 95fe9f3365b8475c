"""Request-category (诉求分类) text classifier — see model.py."""

from .model import classify, load_model, train, build_pipeline  # noqa: F401
