from decimal import Decimal

from snippet import PriceFormatter


def test_each_locale_gets_its_own_format():
    fmt = PriceFormatter({"lamp": Decimal("1234.5")})
    assert fmt.format("lamp", "en_US") == "$1,234.50"
    assert fmt.format("lamp", "de_DE") == "€1.234,50"
    assert fmt.format("lamp", "en_US") == "$1,234.50"
