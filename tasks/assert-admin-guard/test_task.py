import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from snippet import Account, FlagStore


def test_admin_can_set_flag():
    store = FlagStore()
    store.set_flag(Account("root", frozenset({"admin"})), "beta", True)
    assert store.is_enabled("beta")


def test_non_admin_is_refused_even_when_optimised():
    code = textwrap.dedent("""
        from snippet import Account, FlagStore
        store = FlagStore()
        try:
            store.set_flag(Account("eve", frozenset()), "beta", True)
        except PermissionError:
            pass
        print(store.is_enabled("beta"))
    """)
    here = Path(__file__).parent
    out = subprocess.run([sys.executable, "-O", "-c", code], cwd=here, capture_output=True,
                         text=True, timeout=30)
    assert out.stdout.strip() == "False", out.stderr
