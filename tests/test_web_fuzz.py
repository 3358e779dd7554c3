"""Fuzz the API from its own OpenAPI document (schemathesis): no request may cause a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from dateline.context import Context  # noqa: E402
from dateline.settings import load_settings  # noqa: E402
from dateline.store import open_store  # noqa: E402
from dateline.web import create_app  # noqa: E402
from web_seed import seeded_copy  # noqa: E402

pytestmark = pytest.mark.model  # the seeded store comes from the real pipeline

TOKEN = "fuzz-token"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = seeded_copy(tmp_path_factory, "web-fuzz")
    settings = load_settings(web__token=TOKEN)
    with open_store(str(path), settings) as store:
        yield create_app(store, Context(settings))


@pytest.fixture(scope="module")
def api_schema(app: Any) -> Any:
    # /api/code with text runs the whole NLP pipeline per example: covered by test_web_api, not fuzzed here.
    return schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path="/api/code")


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def test_no_server_errors(api_schema: Any) -> None:
    """Every operation, fuzzed with cases drawn from its OpenAPI definition (hypothesis under the hood).

    schemathesis's own pytest plugin does not run under this pytest version, so the cases are
    drawn from ``operation.as_strategy()`` with hypothesis directly.
    """
    operations = _operations(api_schema)
    assert len(operations) >= 10
    statuses: list[int] = []
    for operation in operations:
        _fuzz(operation, statuses)
    # The fuzzing really ran: many calls, and both accepted and refused requests among them.
    assert len(statuses) >= 10 * len(operations)
    assert any(s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)


def _fuzz(operation: Any, statuses: list[int]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: Any) -> None:
        # With the token the write endpoint gets past auth, so its validation is fuzzed too.
        response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
        statuses.append(response.status_code)
        case.validate_response(response, checks=[not_a_server_error])
        assert response.status_code < 500, f"{operation.label}: {response.text}"
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"error"} and body["error"]["status"] == response.status_code

    run()
