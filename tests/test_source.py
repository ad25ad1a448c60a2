"""Acceptance 5: bad input gives one clear message, exit 1, and leaves the output untouched."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from helpers import minimal_spec
from servers import canned

from kubeforge import source
from kubeforge.cli import main
from kubeforge.diagnostics import GenerateError
from kubeforge.fake import certs


@pytest.fixture
def existing_out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "kubeapi").mkdir(parents=True)
    (out / "kubeapi" / "keep.py").write_text("# the user's previous output\n")
    return out


def _run(capsys: pytest.CaptureFixture[str], out: Path, *args: str) -> tuple[int, str]:
    """The exit code and stderr up to the closing summary, which a failure always has."""
    code = main(["generate", "--quiet", "--out", str(out), *args])
    err = capsys.readouterr().err
    if code:
        err, summary = err.rstrip("\n").rsplit("\n", 1)
        assert summary.endswith("; nothing written"), summary
        err += "\n"
    return code, err


def _untouched(out: Path) -> bool:
    return [p.name for p in out.rglob("*")] == ["kubeapi", "keep.py"] and (
        out / "kubeapi" / "keep.py"
    ).read_text() == "# the user's previous output\n"


def test_a_file_that_is_not_json(
    tmp_path: Path, existing_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "spec.json"
    bad.write_text('{"swagger": "2.0",\n  "paths": {,}}')
    code, err = _run(capsys, existing_out, "--spec", str(bad))
    assert code == 1
    assert (
        err.strip()
        == f"kubeforge: error: {bad}: is not JSON: Expecting property name enclosed in double quotes at line 2 column 13"
    )
    assert _untouched(existing_out)


def test_a_gzip_file_that_is_not_swagger_2(
    tmp_path: Path, existing_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "spec.json.gz"
    bad.write_bytes(gzip.compress(json.dumps({"openapi": "3.0.0", "paths": {}}).encode()))
    code, err = _run(capsys, existing_out, "--spec", str(bad))
    assert code == 1
    assert "is not a Swagger 2.0 (OpenAPI v2) document: found openapi 3.0.0" in err
    assert str(bad) in err and err.count("\n") == 1
    assert _untouched(existing_out)


def test_a_missing_file(
    tmp_path: Path, existing_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(capsys, existing_out, "--spec", str(tmp_path / "nope.json"))
    assert (code, err.strip()) == (
        1,
        f"kubeforge: error: {tmp_path / 'nope.json'}: spec file not found",
    )


def test_dangling_refs_are_named_by_json_path(
    tmp_path: Path, existing_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = minimal_spec(
        {
            "io.example.v1.Thing": {
                "type": "object",
                "properties": {"spec": {"$ref": "#/definitions/io.example.v1.Missing"}},
            }
        }
    )
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    code, err = _run(capsys, existing_out, "--spec", str(path))
    assert code == 1
    assert err.strip() == (
        "kubeforge: error: #/definitions/io.example.v1.Missing: is missing: "
        "$ref '#/definitions/io.example.v1.Missing' is used 1 time, "
        "first at #/definitions/io.example.v1.Thing/properties/spec "
        "(--lenient reads it as any JSON value)"
    )
    assert _untouched(existing_out)


@pytest.mark.parametrize(
    ("status", "message", "hint"),
    [
        (401, "Unauthorized", "the server did not accept the credentials"),
        (403, 'forbidden: User "system:anonymous" cannot get path "/openapi/v2"', "not allowed"),
        (404, "the server could not find the requested resource", "does not serve /openapi/v2"),
        (500, "etcdserver: request timed out", ""),
    ],
)
def test_server_errors(
    status: int, message: str, hint: str, existing_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": message,
        "code": status,
    }
    with canned({"/openapi/v2": (status, body)}) as url:
        code, err = _run(capsys, existing_out, "--server", url, "--token", "s3cret-token")
    assert code == 1
    assert err.startswith(f"kubeforge: error: {url}/openapi/v2: {status} ")
    assert message in err and hint in err
    assert "s3cret-token" not in err
    assert err.count("\n") == 1
    assert _untouched(existing_out)


def test_a_certificate_the_client_does_not_trust(
    tmp_path: Path, existing_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = certs.make(tmp_path)
    with canned({"/openapi/v2": (200, minimal_spec({}))}, tls=(files.cert, files.key)) as url:
        code, err = _run(capsys, existing_out, "--server", url)
    assert code == 1
    assert err.startswith(
        f"kubeforge: error: {url}/openapi/v2: TLS certificate verification failed: "
    )
    assert "--ca-file" in err
    assert _untouched(existing_out)


def test_a_trusted_server_gives_spec_and_discovery(tmp_path: Path) -> None:
    files = certs.make(tmp_path)
    routes = {
        "/openapi/v2": (200, minimal_spec({})),
        "/api": (200, {"kind": "APIVersions", "versions": ["v1"]}),
        "/api/v1": (200, {"kind": "APIResourceList", "groupVersion": "v1", "resources": []}),
        "/apis": (
            200,
            {
                "kind": "APIGroupList",
                "groups": [{"name": "apps", "versions": [{"groupVersion": "apps/v1"}]}],
            },
        ),
        "/apis/apps/v1": (
            200,
            {"kind": "APIResourceList", "groupVersion": "apps/v1", "resources": []},
        ),
    }
    with canned(routes, tls=(files.cert, files.key)) as url:
        spec = source.from_server(url, source.ServerAuth(ca_file=str(files.ca)))
    assert spec.discovery is not None and sorted(spec.discovery) == ["apps/v1", "v1"]


def test_tokens_never_show_in_reprs() -> None:
    auth = source.ServerAuth(token="s3cret-token")
    assert "s3cret-token" not in repr(auth)


def test_generate_error_lists_every_diagnostic() -> None:
    with pytest.raises(GenerateError) as info:
        source.from_file("/nonexistent/spec.json")
    assert len(info.value.diagnostics) == 1
