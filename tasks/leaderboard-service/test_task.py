from snippet import Leaderboard, medal


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_new_best_score_shows_immediately():
    board = Leaderboard(Clock())
    board.record("ann", 10)
    assert board.top(1)[0].player == "ann"
    board.record("bob", 20)
    assert board.top(1)[0].player == "bob"


def test_ranks_are_one_based():
    board = Leaderboard(Clock())
    board.record("ann", 10)
    board.record("bob", 20)
    assert board.rank("bob") == 1
    assert medal(board.rank("ann")) == "silver"
