"""The SPDCI specifications as validators: requests are checked against them, tests check every
response against them.

The YAML files are copies of /work/shared/specs/spdci (see specs/README.md). Their `$ref`s are
JSON pointers inside the same document, so a validator is the whole document with a root `$ref`
to the schema wanted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema_rs
import yaml

SPECS = Path(__file__).resolve().parent / "specs"
SOCIAL = "social_api_v1.0.0.yaml"
AUTHZ = "authz_core_api_v1.0.0.yaml"
CRVS = "crvs_api_v1.0.0.yaml"


@cache
def document(name: str) -> dict:
    """Return the specification `name` as JSON values (YAML dates become strings)."""
    with open(SPECS / name, encoding="utf-8") as fh:
        return json.loads(json.dumps(yaml.safe_load(fh), default=str))


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def pointer(*parts: str) -> str:
    """Return the JSON pointer `#/a/b` to the document's node at `parts`."""
    return "#/" + "/".join(_escape(p) for p in parts)


@cache
def validator(name: str, ref: str):
    """Return a validator of the schema at JSON pointer `ref` of the specification `name`."""
    schema = dict(document(name))
    schema["$ref"] = ref
    return jsonschema_rs.Draft7Validator(schema, validate_formats=True)


@dataclass(frozen=True)
class SchemaError:
    """One way an instance breaks the schema: where (a JSON path) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message}"


def errors(name: str, ref: str, instance) -> list[SchemaError]:
    """Return what is wrong in `instance` against the schema at `ref` (empty when valid)."""
    found = []
    for err in validator(name, ref).iter_errors(instance):
        path = "/" + "/".join(str(p) for p in err.instance_path) if err.instance_path else ""
        found.append(SchemaError(path, err.message))
    return found


def request_ref(path: str) -> str:
    """Return the pointer to the JSON request body schema of the social API's POST `path`."""
    return pointer("paths", path, "post", "requestBody", "content", "application/json", "schema")


def response_ref(path: str) -> str:
    """Return the pointer to the JSON answer schema of the social API's POST `path`.

    The synchronous endpoints define their own answer; the asynchronous ones answer the
    shared acknowledgement `Response`.
    """
    operation = document(SOCIAL)["paths"][path]["post"]["responses"]["default"]
    if "$ref" in operation:
        return pointer(
            "components", "responses", "Response", "content", "application/json", "schema"
        )
    return pointer(
        "paths", path, "post", "responses", "default", "content", "application/json", "schema"
    )


def callback_ref(path: str) -> str:
    """Return the pointer to the request body of the callback `path` (e.g. /registry/on-search)."""
    return request_ref(path)


ERROR_RESPONSE = pointer(
    "components", "responses", "HttpErrorResponse", "content", "application/json", "schema"
)
