"""The API's contract in the process (dspt.api.contract); tests/test_api_contract.py runs
schemathesis against a live server."""

import pytest

from dspt.api.api import api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pinned_today(settings):
    settings.DSPT_TODAY = "2026-11-23"


@pytest.fixture(scope="module")
def schema():
    return api.get_openapi_schema(path_prefix="/api/v1/")


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def _ref(response):
    return response["content"]["application/json"]["schema"]


def test_every_secured_operation_documents_401_and_403(schema):
    secured = [(name, op) for name, op in _operations(schema) if op.get("security")]
    assert len(secured) > 50
    for name, op in secured:
        for code in ("401", "403"):
            assert code in op["responses"], (name, code)
    public = {name for name, op in _operations(schema) if not op.get("security")}
    assert "GET /api/v1/organisations" in public and "GET /api/v1/figures/compliance" in public


def test_every_422_has_one_shape(schema):
    shapes = {
        name: _ref(op["responses"]["422"])
        for name, op in _operations(schema)
        if "422" in op["responses"]
    }
    assert len(shapes) > 40
    assert set(map(str, shapes.values())) == {"{'$ref': '#/components/schemas/ProblemsOut'}"}
    problems = schema["components"]["schemas"]["ProblemsOut"]
    assert set(problems["required"]) == {"detail", "problems"}
    for name, op in _operations(schema):
        assert all(isinstance(code, str) for code in op["responses"]), name


def test_page_size_maximum_is_declared(schema):
    params = {
        p["name"]: p["schema"]
        for p in schema["paths"]["/api/v1/organisations"]["get"]["parameters"]
    }
    assert params["page_size"]["maximum"] == 100 and params["page_size"]["minimum"] == 1
    assert params["page"]["minimum"] == 1


def test_a_schema_refusal_and_a_handler_refusal_have_the_same_shape(client):
    invalid = client.get("/api/v1/organisations?page_size=101")
    assert invalid.status_code == 422
    body = invalid.json()
    assert set(body) == {"detail", "problems"} and isinstance(body["detail"], str)
    assert body["problems"] == ["query page_size: Input should be less than or equal to 100"]
    refused = client.get("/api/v1/figures/series?as_of=1999-12-31")
    assert refused.status_code == 422
    assert set(refused.json()) == {"detail", "problems"}
    assert refused.json()["problems"] == [refused.json()["detail"]]


@pytest.mark.parametrize(
    "query",
    [
        "as_of=0",  # was read as a Unix time: 1 January 1970
        "as_of=1700000000",
        "as_of=2026-01-01T00:00:00",
        "as_of=2026-01-01&as_of=2026-02-01",  # was read as the last one
        "page=1&page=2",
        "page_size=true",
    ],
)
def test_query_values_are_strict(client, query):
    r = client.get(f"/api/v1/organisations?{query}")
    assert r.status_code == 422, query
    assert r.json()["problems"]


def test_a_plan_comparison_takes_one_whole_number_each_side(client, make_org, member_of):
    org = make_org("RXX", "Kestrel Vale Hospitals", org_type="nhs_trust")
    client.force_login(member_of(org, role="admin"))
    for query in ("left=true&right=false", "left=1&left=2&right=1", "left=1.5&right=1"):
        r = client.get(f"/api/v1/plans/1/compare?{query}")
        assert r.status_code == 422, query
        assert any("left" in p for p in r.json()["problems"]), query
    assert client.get("/api/v1/plans/1/compare?left=1&right=1").status_code == 404


def test_an_unreadable_body_is_400_with_detail(client, make_org, member_of):
    org = make_org("VABC1", "Example Care Home")
    client.force_login(member_of(org, role="admin"))
    r = client.put(
        "/api/v1/assessments/VABC1/profile", data=b"\x00", content_type="application/json"
    )
    assert r.status_code == 400 and set(r.json()) == {"detail"}


def test_dimension_and_area_kind_are_listed_in_the_schema(schema, client):
    params = {
        p["name"]: p["schema"]
        for p in schema["paths"]["/api/v1/figures/compliance"]["get"]["parameters"]
    }
    assert "care_home" in params["by"]["enum"]
    assert client.get("/api/v1/figures/compliance?by=colour").status_code == 422
    assert client.get("/api/v1/figures/compliance?by=care_home&area_kind=moon").status_code == 422
