"""API fuzzing: schemathesis generates requests from the app's OpenAPI schema; no answer may be a 500, and
every answer must match its documented status codes, content type and schema. Left out of schemathesis's
default checks: ``positive_data_acceptance`` — a schema-valid year that was not scored, or a gemeente code
that does not exist, is rightly a 422 or 404 with the reason (the schema cannot list the scored years).

Each operation gets its own Hypothesis run (schemathesis's pytest plugin does not load under this pytest,
so the operations are walked here; the checks are schemathesis's own ``call_and_validate``)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from wijkvitaliteit.web.app import create_app

EXAMPLES = 25


@pytest.fixture(scope="module")
def operations(demo_workspace):
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(demo_workspace))
    return [op.ok() for op in schema.get_all_operations()]


def test_every_operation_answers_by_its_schema(operations):
    assert len(operations) >= 20
    failures = []
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])

        try:
            check()
        except Exception as exc:  # collect all operations' failures, then report them together
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
