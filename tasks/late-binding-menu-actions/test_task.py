from snippet import build_menu, choose


def test_each_entry_runs_its_own_command():
    menu = build_menu()
    assert choose(menu, "1") == "running backup"
    assert choose(menu, "3") == "running reindex"
    assert choose(build_menu(True), "2") == "[dry-run] running vacuum"
