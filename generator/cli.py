"""The `kubeforge` command. Exit codes: 0 ok, 1 check failed or spec errors, 2 usage."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from functools import partial
from pathlib import Path

from kubeforge import __version__, source
from kubeforge.diagnostics import GenerateError
from kubeforge.names import PythonName
from kubeforge.pipeline import Options, run


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
        "--check", action="store_true", help="write nothing; exit 1 if the output would change"
    )
    gen.add_argument("--strict", action="store_true", help="treat warnings as errors")
    gen.add_argument("--no-cache", action="store_true", help="ignore and do not fill the caches")
    gen.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _generate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if PythonName(args.package) != args.package:
        parser.error(f"--package {args.package!r} is not a valid Python package name")
    server_only = [f for f in ("token", "token_file", "ca_file") if getattr(args, f)] + (
        ["insecure"] if args.insecure else []
    )
    if server_only and not args.server:
        parser.error(f"--{server_only[0].replace('_', '-')} needs --server")
    if args.context and not args.kubeconfig:
        parser.error("--context needs --kubeconfig")
    token = args.token
    if args.token_file:
        try:
            token = Path(args.token_file).read_text().strip()
        except OSError as exc:
            print(
                f"kubeforge: error: {args.token_file}: cannot read token file: {exc.strerror}",
                file=sys.stderr,
            )
            return 1
    auth = source.ServerAuth(token=token, ca_file=args.ca_file, insecure=args.insecure)
    load = partial(source.load, args.spec, args.server, auth, args.kubeconfig, args.context)
    options = Options(
        out=Path(args.out),
        package=args.package,
        check=args.check,
        strict=args.strict,
        use_cache=not args.no_cache,
        quiet=args.quiet,
    )
    try:
        result = run(load, options)
    except GenerateError as exc:
        for diagnostic in exc.diagnostics:
            print(f"kubeforge: {diagnostic}", file=sys.stderr)
        return 1
    if not args.quiet:
        for warning in result.warnings:
            print(f"kubeforge: {warning}", file=sys.stderr)
        reasons = Counter(s.reason for s in result.skipped)
        for reason, count in sorted(reasons.items()):
            print(f"kubeforge: no client method for {count} operations: {reason}", file=sys.stderr)
    if args.check:
        if result.differences:
            print(f"kubeforge: {options.out} is not what the generator makes now:", file=sys.stderr)
            for line in result.differences:
                print(f"  {line}", file=sys.stderr)
            return 1
        if not args.quiet:
            print(f"kubeforge: {options.out} is up to date", file=sys.stderr)
        return 0
    if not args.quiet:
        done = (
            f"wrote {len(result.differences)} changes" if result.differences else "nothing changed"
        )
        print(f"kubeforge: {done} in {options.out} ({len(result.files)} files)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    return _generate(args, parser)
