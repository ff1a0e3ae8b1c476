import argparse
import sys

UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4}


def evaluate(expression: str) -> float:
    """Evaluate an arithmetic expression such as '3 * gb + 512 * mb'."""
    # expect: code-injection severity=critical id=eval-expression
    return float(eval(expression, {}, dict(UNITS)))


def convert(expression: str, unit: str) -> str:
    value = evaluate(expression) / UNITS[unit]
    return f"{value:.2f} {unit.upper()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="capacity calculator")
    parser.add_argument("expression")
    parser.add_argument("--to", default="gb", choices=sorted(UNITS))
    args = parser.parse_args(argv)
    try:
        print(convert(args.expression, args.to))
    except (SyntaxError, NameError, ZeroDivisionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
