"""The `kubeforge` command. Exit codes: 0 ok, 1 check failed or spec errors, 2 usage."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
from collections import Counter
from functools import partial
from pathlib import Path

from kubeforge import __version__, source
from kubeforge.diagnostics import Diagnostic, GenerateError, grouped
from kubeforge.names import PythonName
from kubeforge.pipeline import Options, Result, run
from kubeforge.write import unified_diff


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kubeforge", description="Generate typed Kubernetes clients."
    )
    parser.add_argument("--version", action="version", version=f"kubeforge {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="generate a client package from an OpenAPI v2 spec")
    where = gen.add_mutually_exclusive_group()
    where.add_argument("--spec", metavar="FILE", help="a .json or .json.gz /openapi/v2 document")
    where.add_argument(
        "--server", metavar="URL", help="a live API server to read /openapi/v2 and discovery from"
    )
    where.add_argument(
        "--kubeconfig", metavar="FILE", help="reach the server of a kubeconfig context"
    )
    gen.add_argument("--context", help="kubeconfig context (default: current-context)")
    gen.add_argument(
        "--crd",
        action="append",
        metavar="PATH",
        help="CustomResourceDefinition manifests: a YAML or JSON file, a directory, or - for"
        " stdin (repeatable); adds their kinds to the other source, or stands alone",
    )
    gen.add_argument(
        "--all-versions",
        action="store_true",
        help="with --crd: classes for versions that are not served, too",
    )
    gen.add_argument(
        "--group",
        action="append",
        metavar="GROUP",
        help="generate only this API group (repeatable; core for the core group)",
    )
    token = gen.add_mutually_exclusive_group()
    token.add_argument("--token", help="bearer token for --server")
    token.add_argument(
        "--token-file", metavar="FILE", help="file holding the bearer token for --server"
    )
    tls = gen.add_mutually_exclusive_group()
    tls.add_argument("--ca-file", metavar="FILE", help="CA bundle to verify --server's certificate")
    tls.add_argument("--insecure", action="store_true", help="do not verify --server's certificate")
    gen.add_argument(
        "--out", default="generated", metavar="DIR", help="output directory (default: generated)"
    )
    gen.add_argument("--package", default="kubeapi", help="package name (default: kubeapi)")
    gen.add_argument(
        "--base-package",
        metavar="NAME",
        help="import the shared types (ObjectMeta, Status, ...) from this installed package"
        " (e.g. kubeapi) instead of generating copies",
    )
    gen.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the output would change"
    )
    gen.add_argument(
        "--diff", action="store_true", help="with --check: print what would change as a diff"
    )
    gen.add_argument("--strict", action="store_true", help="treat warnings as errors")
    gen.add_argument(
        "--lenient",
        action="store_true",
        help="generate despite $refs to missing definitions: a uniquely named match stands in,"
        " else the field holds any JSON value (one warning per missing definition)",
    )
    gen.add_argument("--no-cache", action="store_true", help="ignore and do not fill the caches")
    gen.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    gen.set_defaults(run=_generate, usage=gen)
    srv = commands.add_parser(
        "serve",
        help="run the fake Kubernetes API server",
        description="Run the fake Kubernetes API server over HTTPS. It writes a kubeconfig and "
        "prints the `export KUBECONFIG=...` line to use it.",
    )
    srv.add_argument(
        "--spec", metavar="FILE", help="the /openapi/v2 document to serve (default: bundled 1.36)"
    )
    srv.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    srv.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    srv.add_argument(
        "--insecure-http",
        action="store_true",
        help="serve plain HTTP with no authentication at all (default: HTTPS and tokens)",
    )
    srv.add_argument(
        "--token", action="append", default=[], help="accept this bearer token (repeatable)"
    )
    srv.add_argument(
        "--token-file",
        metavar="FILE",
        help="kube-apiserver token file: token,user,uid[,groups] lines",
    )
    srv.add_argument(
        "--write-service-account",
        metavar="DIR",
        help="write token, ca.crt and namespace as a pod sees them",
    )
    srv.add_argument(
        "--write-kubeconfig",
        metavar="FILE",
        help="where to write the kubeconfig (default: in the server's temporary directory)",
    )
    srv.add_argument(
        "--watch-window",
        type=int,
        default=1000,
        metavar="N",
        help="events kept per resource for watch resume",
    )
    srv.set_defaults(run=_serve, usage=srv)
    return parser


def _error(message: str) -> int:
    """One line on stderr, exit code 1: what failed and where."""
    print(f"kubeforge: error: {message}", file=sys.stderr)
    return 1


def _generate(args: argparse.Namespace) -> int:
    usage: argparse.ArgumentParser = args.usage
    if PythonName(args.package) != args.package:
        usage.error(f"--package {args.package!r} is not a valid Python package name")
    server_only = [f for f in ("token", "token_file", "ca_file") if getattr(args, f)] + (
        ["insecure"] if args.insecure else []
    )
    if server_only and not args.server:
        usage.error(f"--{server_only[0].replace('_', '-')} needs --server")
    if args.context and not args.kubeconfig:
        usage.error("--context needs --kubeconfig")
    if args.diff and not args.check:
        usage.error("--diff needs --check")
    if args.base_package and PythonName(args.base_package) != args.base_package:
        usage.error(f"--base-package {args.base_package!r} is not a valid Python package name")
    if args.base_package == args.package:
        usage.error("--base-package must name another package than --package")
    if args.all_versions and not args.crd:
        usage.error("--all-versions needs --crd")
    token = args.token
    if args.token_file:
        try:
            token = Path(args.token_file).read_text().strip()
        except OSError as exc:
            return _failed([Diagnostic(args.token_file, f"cannot read token file: {exc.strerror}")])
    auth = source.ServerAuth(token=token, ca_file=args.ca_file, insecure=args.insecure)
    load = partial(
        source.load,
        args.spec,
        args.server,
        auth,
        args.kubeconfig,
        args.context,
        args.crd,
        args.all_versions,
        args.group,
        not args.no_cache,
    )
    options = Options(
        out=Path(args.out),
        package=args.package,
        check=args.check,
        strict=args.strict,
        lenient=args.lenient,
        use_cache=not args.no_cache,
        quiet=args.quiet,
        base_package=args.base_package or "",
    )
    try:
        result = run(load, options)
    except GenerateError as exc:
        return _failed(exc.diagnostics)
    # Progress is for people watching; warnings are for everyone, --quiet or not.
    for warning in result.warnings:
        print(f"kubeforge: {warning}", file=sys.stderr)
    if not args.quiet:
        reasons = Counter(s.reason for s in result.skipped)
        for reason, count in sorted(reasons.items()):
            print(
                f"kubeforge: no client method for {_count(count, 'operation')}: {reason}",
                file=sys.stderr,
            )
    if args.check:
        if result.differences:
            print(f"kubeforge: {options.out} is not what the generator makes now:", file=sys.stderr)
            for line in result.differences:
                print(f"  {line}", file=sys.stderr)
            if args.diff:
                sys.stdout.write(unified_diff(result.files, options.out, options.package))
        elif not args.quiet:
            print(f"kubeforge: {options.out} is up to date", file=sys.stderr)
    elif not args.quiet:
        done = (
            f"wrote {len(result.differences)} changes" if result.differences else "nothing changed"
        )
        print(f"kubeforge: {done} in {options.out} ({len(result.files)} files)", file=sys.stderr)
    if result.warnings or not args.quiet:
        print(f"kubeforge: {_summary(result)}", file=sys.stderr)
    return 1 if args.check and result.differences else 0


def _failed(diagnostics: list[Diagnostic]) -> int:
    errors = grouped(diagnostics)
    for diagnostic in errors:
        print(f"kubeforge: {diagnostic}", file=sys.stderr)
    print(f"kubeforge: {_count(len(errors), 'error')}; nothing written", file=sys.stderr)
    return 1


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _summary(result: Result) -> str:
    """The closing line: errors, warnings, and operations without a client method, by why."""
    text = f"0 errors, {_count(len(result.warnings), 'warning')}"
    if result.skipped:
        tally = Counter(s.category for s in result.skipped)
        why = ", ".join(
            f"{n} {category}" for category, n in sorted(tally.items(), key=lambda i: (-i[1], i[0]))
        )
        text += f", {_count(len(result.skipped), 'operation')} without a client method ({why})"
    return text


def _tokens(args: argparse.Namespace) -> list[str]:
    tokens = list(args.token)
    if args.token_file:
        for line in Path(args.token_file).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                tokens.append(line.split(",", 1)[0].strip())
    return tokens


def _serve(args: argparse.Namespace) -> int:
    from kubeforge.fake.server import FakeServer

    usage: argparse.ArgumentParser = args.usage
    if args.insecure_http and (args.token or args.token_file):
        usage.error("--insecure-http serves without authentication: drop --token/--token-file")
    if args.insecure_http and args.write_service_account:
        usage.error("--write-service-account needs HTTPS: pods reach their API server over TLS")
    try:
        spec = source.from_file(args.spec).document if args.spec else None
    except GenerateError as exc:
        return _error(str(exc).removeprefix("error: "))
    try:
        tokens = _tokens(args)
    except OSError as exc:
        return _error(f"{args.token_file}: cannot read token file: {exc.strerror}")
    server = FakeServer(
        spec,
        host=args.host,
        port=args.port,
        tls=not args.insecure_http,
        tokens=[] if args.insecure_http else tokens or None,
        watch_window=args.watch_window,
    )
    try:
        server.start()
    except OSError as exc:
        server.stop()
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        return _error(f"cannot serve on {args.host}:{args.port}: {reason}")
    kubeconfig = Path(args.write_kubeconfig or server.state_dir / "kubeconfig")
    try:
        # Files first: once the "serving" line is out, clients may rely on them.
        server.write_kubeconfig(kubeconfig)
        if args.write_service_account:
            server.write_service_account(args.write_service_account)
    except OSError as exc:
        server.stop()
        return _error(f"{exc.filename}: cannot write: {exc.strerror or exc}")
    print(f"kubeforge: serving {server.url}", file=sys.stderr)
    if args.insecure_http:
        print("kubeforge: plain HTTP, no authentication: every request is allowed", file=sys.stderr)
    if server.ca_file:
        print(f"kubeforge: CA certificate {server.ca_file}", file=sys.stderr)
    if args.write_service_account:
        print(f"kubeforge: wrote {args.write_service_account}", file=sys.stderr)
    print(f"export KUBECONFIG={shlex.quote(str(kubeconfig.resolve()))}", flush=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as cleanly as on Ctrl-C
    server.run_forever()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    code: int = args.run(args)
    return code
