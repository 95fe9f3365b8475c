import pytest

from planning import providers


@pytest.fixture(autouse=True)
def only_test_providers():
    """Planning's own tests see only the fake providers they register, not the other modules'."""
    with providers.registered({}, exclusive=True):
        yield
