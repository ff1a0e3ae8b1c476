from collections.abc import Callable

COMMANDS = ["backup", "vacuum", "reindex", "rotate-logs"]


def run_command(name: str, dry_run: bool) -> str:
    prefix = "[dry-run] " if dry_run else ""
    return f"{prefix}running {name}"


def build_menu(dry_run: bool = False) -> dict[str, Callable[[], str]]:
    menu: dict[str, Callable[[], str]] = {}
    for index, name in enumerate(COMMANDS, start=1):
        # expect: late-binding-closure severity=medium id=lambda-name
        menu[str(index)] = lambda: run_command(name, dry_run)
    return menu


def choose(menu: dict[str, Callable[[], str]], key: str) -> str:
    action = menu.get(key)
    if action is None:
        return f"unknown choice {key!r}"
    return action()
