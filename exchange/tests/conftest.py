import pytest

from exchange import services
from exchange.models import Dataset


@pytest.fixture
def datasets(tree) -> dict[str, Dataset]:
    services.sync_datasets()
    return {d.code: d for d in Dataset.objects.select_related("department")}
