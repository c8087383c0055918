import pytest

from tests.support import FunctionsClient


@pytest.fixture
def client(azurite) -> FunctionsClient:
    return FunctionsClient()
