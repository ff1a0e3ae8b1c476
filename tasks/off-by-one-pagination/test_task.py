from snippet import all_pages, paginate


def test_full_page_has_per_page_items():
    assert paginate(list(range(10)), 1, 5).items == [0, 1, 2, 3, 4]


def test_pages_cover_everything_once():
    items = list(range(23))
    seen = [x for page in all_pages(items, 5) for x in page.items]
    assert seen == items
