"""Random keys kept in files readable only by their owner (mode 0600).

The demo gets its keys this way (the Django secret key `make run` serves with, the client-level
data pseudonymisation key `dspt load-demo` uses): random, never derived from anything public,
and kept under the git-ignored data folder. `python -m dspt.core.keyfile PATH` writes one if
PATH does not exist yet; it needs no Django settings, so it can run before any.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path


def ensure_key_file(path: Path) -> bool:
    """Write a random 256-bit key (64 hex digits) to `path` with mode 0600, unless a file is
    already there. Returns whether it wrote one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m dspt.core.keyfile PATH", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if ensure_key_file(path):
        print(f"Wrote a random key to {path} (mode 0600).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
