from collections.abc import Iterator

import pytest

from tests.auth.identity_provider import IdentityProvider, identity_provider


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    with identity_provider(tmp_path_factory.mktemp("identity-provider")) as running:
        yield running
