"""`python -m kubeforge` is the `kubeforge` command."""

from kubeforge.cli import main

raise SystemExit(main())
