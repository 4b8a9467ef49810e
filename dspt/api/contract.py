"""The API's contract, kept in one place: how errors are written and what every operation
documents (docs/interfaces.md, "HTTP").

- Every refusal is `{"detail": "why"}`, except 422, which is always `{"detail": "why",
  "problems": ["each problem", ...]}`: a value the schema refuses, a rule the handler checks, or
  a file whose rows are wrong.
- A query or form value sent twice where one is expected is refused (422), never quietly read
  as its last copy.
- The OpenAPI description adds to each operation the refusals the API itself can give: 401 and
  403 on every secured operation, 404 where the path names something, 400 where a body that is
  not JSON may be sent, 422 where the operation takes parameters or a body. Answers a handler
  gives itself are declared on its route.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser

from dspt.core.api_types import ErrorOut, ProblemsOut

INVALID = "The request is not valid."

REFUSALS = {
    "401": "Not signed in: no valid bearer token and no signed-in session.",
    "403": "Signed in, but not allowed to do this (or this kind of token is refused here).",
    "404": "Nothing you can see has that identifier.",
}
UNREADABLE = "the body could not be read (not JSON)"


class StrictParser(Parser):
    """Query strings and forms as ninja reads them, except that a name repeated where the
    operation takes one value is handed over as the list it is, so validation refuses it."""

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        for key in data:
            if key not in list_fields and len(data.getlist(key)) > 1:
                result[key] = data.getlist(key)
        return result


def _where(loc: tuple | list) -> str:
    """`['query', 'as_of']` as `query as_of`; `['body', 'payload', 'rows', 0, 'gap']` as
    `body rows[0].gap`."""
    source, *rest = [*loc] or ["request"]
    if source == "body" and len(rest) > 1:
        rest = rest[1:]  # the handler's argument name says nothing to the caller
    path = ""
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return f"{source} {path}".strip()


def problems_response(api: NinjaAPI, request: HttpRequest, detail: str, problems: list[str]):
    return api.create_response(request, {"detail": detail, "problems": problems}, status=422)


def install_error_handlers(api: NinjaAPI) -> None:
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        found = [f"{_where(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors]
        return problems_response(api, request, INVALID, found or [INVALID])

    def refused(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 422:
            return problems_response(api, request, str(exc), [str(exc)])
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(HttpError, refused)


def _ref(name: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


def document_refusals(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to every operation the refusals the API gives whatever its handler does."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, ProblemsOut):
        components.setdefault(model.__name__, model.model_json_schema())
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            # ninja keys the responses by number; JSON by string: one key per status.
            responses = {str(code): r for code, r in operation.get("responses", {}).items()}
            operation["responses"] = responses
            parameters = operation.get("parameters", [])
            codes = []
            if operation.get("security"):
                codes += ["401", "403"]
            if any(p.get("in") == "path" for p in parameters):
                codes.append("404")
            for code in codes:
                responses.setdefault(code, {"description": REFUSALS[code], **_ref("ErrorOut")})
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                _unreadable_body(responses)
            if parameters or "requestBody" in operation:
                responses["422"] = {
                    "description": "Refused: each problem is listed in `problems`.",
                    **_ref("ProblemsOut"),
                }
    return schema


def _unreadable_body(responses: dict) -> None:
    """A JSON body that cannot be parsed is refused with 400 `{"detail": ...}`, beside any 400
    the handler gives itself (then either shape may come)."""
    own = responses.get("400")
    if own is None:
        responses["400"] = {"description": f"Refused: {UNREADABLE}.", **_ref("ErrorOut")}
        return
    content = own.setdefault("content", {}).setdefault("application/json", {})
    schema = content.get("schema", {})
    error = {"$ref": "#/components/schemas/ErrorOut"}
    if schema != error:
        content["schema"] = {"anyOf": [schema, error]}
        own["description"] = f"{own.get('description', 'Refused')}, or {UNREADABLE}."


class ContractAPI(NinjaAPI):
    """NinjaAPI with the contract above."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, parser=StrictParser(), **kwargs)
        install_error_handlers(self)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_refusals(schema)
