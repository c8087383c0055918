import pytest

from tests.support import FunctionsClient


@pytest.fixture
def client(azurite) -> FunctionsClient:
    return FunctionsClient()


@pytest.fixture(scope="module")
def world(azurite):
    from tests.world import make_world

    return make_world(FunctionsClient())
