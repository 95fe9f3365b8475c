"""Settings for bench/appeals_open311.py's server: the product's, with the bench's URLconf (bench/appeals_urls.py)."""

from shequ.settings import *  # noqa: F403

ROOT_URLCONF = "bench.appeals_urls"
