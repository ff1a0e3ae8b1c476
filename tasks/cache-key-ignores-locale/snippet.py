from decimal import Decimal

SYMBOLS = {"en_US": ("$", ","), "de_DE": ("€", "."), "fr_FR": ("€", " ")}


class PriceFormatter:
    def __init__(self, prices: dict[str, Decimal]) -> None:
        self.prices = prices
        self._cache: dict[str, str] = {}

    def _render(self, amount: Decimal, locale: str) -> str:
        symbol, thousands = SYMBOLS[locale]
        whole, _, cents = f"{amount:.2f}".partition(".")
        grouped = f"{int(whole):,}".replace(",", thousands)
        decimal_mark = "." if locale == "en_US" else ","
        return f"{symbol}{grouped}{decimal_mark}{cents}"

    def format(self, sku: str, locale: str = "en_US") -> str:
        # expect: cache-bug severity=medium id=key-without-locale
        if sku not in self._cache:
            self._cache[sku] = self._render(self.prices[sku], locale)
        return self._cache[sku]
