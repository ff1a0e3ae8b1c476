import pytest

from snippet import convert, evaluate


def test_arithmetic_with_units():
    assert evaluate("2 * kb + 1") == 2049
    assert convert("1536 * mb", "gb") == "1.50 GB"


def test_refuses_code():
    with pytest.raises((ValueError, SyntaxError, NameError)):
        evaluate("__import__('os').getpid()")
