"""The served OpenAPI document against the seed contract, and schemathesis against the running API."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis.checks import not_a_server_error, response_schema_conformance

from pipelines.settings import Settings
from services.api.app import create_app
from services.api.deps import ApiDeps
from tests.api.factories import finished_session, make_user
from tests.api.test_api_threads import InMemoryThreads
from tests.conftest import service_settings
from tests.support.servers import free_port

SEED = Path(
    os.environ.get(
        "LIFTLAB_SEED_API",
        Path(__file__).resolve().parents[2] / ".." / "shared" / "seed" / "weightlifting-api.txt",
    )
)
SEED_CODES = {"200", "400", "401", "403", "404", "500"}
_SID = "/weightlifting/sessions/{session_id}/"
# (method, path) -> (request fields, query parameters, response fields), transcribed from the seed.
CONTRACT: dict[tuple[str, str], tuple[set[str], set[str], set[str]]] = {
    ("post", "/weightlifting/sessions/"): (
        {"user_id", "video", "session_name", "exercise_name", "barbell_mass", "body_joint_angles"},
        set(),
        {"session_id", "title"},
    ),
    ("post", "/weightlifting/management/sessions/"): (
        {"user_id", "video", "session_name", "exercise_name", "barbell_mass", "body_joint_angles"},
        set(),
        {"session_id", "title"},
    ),
    ("get", _SID): (
        set(),
        {"demo"},
        {
            "analyzed_video_url",
            "video_url",
            "created_at",
            "exercise",
            "user_name",
            "activity",
            "title",
            "metrics",
            "angles",
            "report_metrics",
            "all_timestamps",
        },
    ),
    ("get", _SID + "export/"): (
        set(),
        {"demo"},
        {"keypoints", "angles", "all_timestamps", "metrics", "activity"},
    ),
    ("post", _SID + "lift-analysis/"): (
        set(),
        {"demo"},
        {
            "exercise",
            "key_metrics",
            "body_positioning",
            "joint_angles",
            "barbell_positioning",
            "phase_data",
            "chart_data",
            "user_information",
            "session_date",
            "comments",
        },
    ),
    ("get", _SID + "summary/"): (
        set(),
        {"demo"},
        {
            "summary_text",
            "exercise_type",
            "velocity",
            "power",
            "stability",
            "user_information",
            "session_date",
        },
    ),
    ("post", _SID + "summary/"): (set(), {"measurement_system"}, set()),
    ("post", _SID + "recommendation/"): (set(), {"measurement_system"}, set()),
}


@pytest.fixture(scope="module")
def document(redis_url: str, s3_endpoint: str) -> dict[str, Any]:
    app = create_app(_settings(redis_url, s3_endpoint))
    with TestClient(app=app) as client:
        r = client.get("/docs/openapi.json")
        assert r.status_code == 200
        assert client.get("/docs/").status_code == 200  # the docs UI
        doc: dict[str, Any] = r.json()
        return doc


def _settings(redis_url: str, s3_endpoint: str) -> Settings:
    return service_settings(
        redis_url, s3_endpoint, max_upload_bytes=1024 * 1024, rate_limit_per_minute=100_000
    )


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize(("method", "path"), list(CONTRACT))
def test_seed_endpoint_in_document(document: dict[str, Any], method: str, path: str) -> None:
    request_fields, query, response_fields = CONTRACT[(method, path)]
    assert path in document["paths"], f"expected {path} in the document, got {sorted(document['paths'])}"
    operation = document["paths"][path][method]
    assert set(operation["responses"]) >= SEED_CODES, (
        f"{method} {path}: codes {sorted(operation['responses'])}"
    )
    for code in SEED_CODES - {"200"}:
        body = operation["responses"][code]["content"]["application/json"]["schema"]
        assert "error" in _resolve(document, body)["properties"]
    params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    assert query <= params, f"{method} {path}: query {sorted(params)}"
    if request_fields:
        schema = _resolve(document, operation["requestBody"]["content"]["multipart/form-data"]["schema"])
        assert request_fields == set(schema["properties"])
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    properties = set(_resolve(document, ok).get("properties", {}))
    assert response_fields <= properties, f"missing {sorted(response_fields - properties)}"
    assert operation["security"] == [{"ApiKey": []}]


def test_contract_table_matches_the_seed() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed contract not present at {SEED}")
    text = SEED.read_text()
    seen = {(m.lower(), p) for m, p in re.findall(r"^(GET|POST) (/\S+) HTTP/1\.1$", text, re.M)}
    seen |= {
        ("post", p.split("weightlifting", 1)[0] and "/weightlifting" + p.split("/weightlifting", 1)[1])
        for p in re.findall(r"https://<backend-link>(/\S+)", text)
    }
    assert seen == set(CONTRACT)
    for (method, path), (_req, _query, response_fields) in CONTRACT.items():
        block = (
            text.split(f"{method.upper()} {path} HTTP/1.1", 1)[1]
            if method != "post" or "management" not in path
            else ""
        )
        if response_fields and block:
            example = block[block.index("{") :]
            depth = 0
            for i, ch in enumerate(example):
                depth += {"{": 1, "}": -1}.get(ch, 0)
                if depth == 0:
                    example = example[: i + 1]
                    break
            assert set(json.loads(example)) == response_fields


def test_cli_prints_the_served_document(document: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    from services.cli.openapi import print_openapi

    assert print_openapi() == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["paths"].keys() == document["paths"].keys()


_UNIT = re.compile(
    r"(?<![\w/])(m/s\^2|m/s|ft/s|W|N|lbf|deg|m|ft|s|ms|kg|lb|cm|px|pixels|years|count|%|0\.\.1)(?![\w/^])"
    r"|unit of the enclosing field"
)


def _numeric(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """True when the schema's values are numbers (directly, in arrays, maps or nullable unions)."""
    if "$ref" in schema:
        return False  # an object: its own properties are checked
    if schema.get("type") in ("number", "integer"):
        return True
    inner = [schema.get("items"), schema.get("additionalProperties"), *schema.get("oneOf", [])]
    return any(isinstance(s, dict) and _numeric(s, schemas) for s in inner)


def _response_schemas(document: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for ops in document["paths"].values():
        for op in ops.values():
            if not isinstance(op, dict):
                continue
            for code, response in op.get("responses", {}).items():
                if code.startswith("2"):
                    names |= set(re.findall(r"#/components/schemas/([^\"]+)", json.dumps(response)))
    return names


def test_every_numeric_response_field_names_its_unit(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    todo, seen, missing = list(_response_schemas(document)), set(), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for prop, schema in schemas[name].get("properties", {}).items():
            todo += re.findall(r"#/components/schemas/([^\"]+)", json.dumps(schema))
            if _numeric(schema, schemas) and not _UNIT.search(schema.get("description", "")):
                missing.append(f"{name}.{prop}: {schema.get('description')!r}")
    assert "SessionDetails" in seen and "SessionSummary" in seen and "LiftAnalysis" in seen
    assert not missing, missing
    details = schemas["SessionDetails"]["properties"]
    for unit in ("m/s", "W", "N", "deg", "ft/s", "lbf", "kg", "(s)"):
        assert unit in details["metrics"]["description"] + details["report_metrics"]["description"], unit


# --- schemathesis against the running API (uvicorn on loopback, real Redis and S3) ---


@pytest.fixture(scope="module")
def live_api(redis_url: str, s3_endpoint: str) -> Iterator[tuple[str, dict[str, str]]]:
    app: Litestar = create_app(_settings(redis_url, s3_endpoint), threads=InMemoryThreads())
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    deps: ApiDeps = app.state.deps
    org = deps.accounts.create_org("schemathesis")
    admin = make_user(deps, org.org_id, role="admin")
    finished_session(deps, admin)
    assert httpx.get(base + "/health").status_code == 200
    yield base, admin.headers
    server.should_exit = True
    thread.join(timeout=10)


def test_schemathesis(live_api: tuple[str, dict[str, str]]) -> None:
    """Every operation, a few generated cases each: no 5xx, every response conforms to the document."""
    base, headers = live_api
    schema = schemathesis.openapi.from_url(base + "/docs/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=5,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            case.call_and_validate(
                base_url=base, headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
