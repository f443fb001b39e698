"""schemathesis against /api/v1/openapi.json: every operation, anonymously and with a focal point's token.

Valid and invalid input (positive and negative generation) with all of schemathesis' checks: no 5xx,
status codes, headers and bodies as documented, refused input refused."""
from __future__ import annotations

import schemathesis
from hypothesis import given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from .conftest import FUZZ

#: Valid bodies can still break rules on stored data (unknown session code, a second head, an email
#: already nominated, a decided nomination): 422 as documented, not a schema mismatch.
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422"]}}})


def run_operations(app, headers: dict) -> list[str]:
    """Fuzz each operation of the document in both generation modes; the failures, as text."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(FUZZ, max_examples=FUZZ.max_examples * 2)
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                case.call_and_validate(headers=headers)
            try:
                check()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label  # nothing invalid to send (any slug is a string)
            except Exception as error:  # schemathesis' FailureGroup and the app's own exceptions
                failures.append(f"{operation.label} [{mode.value}]: {error}"[:3000])
    return failures


def test_api_anonymously(demo):
    failures = run_operations(demo, {})
    assert not failures, "\n\n".join(failures)


def test_api_with_a_focal_points_token(demo, token):
    secret, _delegation_id = token
    failures = run_operations(demo, {"Authorization": f"Bearer {secret}"})
    assert not failures, "\n\n".join(failures)

