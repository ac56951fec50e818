import pytest

from leanetl.lib.source_guard import truncation_problem


@pytest.mark.parametrize(
    ("rows", "previous", "problem"),
    [
        (0, None, "the source yielded no rows"),
        (0, ("2025-03-13", 0), "the source yielded no rows (partition 2025-03-13 had 0)"),
        (0, ("2025-03-13", 1975), "the source yielded no rows (partition 2025-03-13 had 1,975)"),
        (987, ("2025-03-13", 1975), "the source yielded 987 rows, 50% fewer than the 1,975"),
        (988, ("2025-03-13", 1975), None),  # 49.97 % fewer: within the limit
        (5, None, None),
        (5000, ("2025-03-13", 10), None),  # growing is never a problem
    ],
)
def test_truncation_problem(rows, previous, problem) -> None:
    got = truncation_problem(rows, previous, max_drop=0.5)
    if problem is None:
        assert got is None
    else:
        assert got is not None and got.startswith(problem)


def test_the_drop_limit_is_a_setting() -> None:
    assert truncation_problem(90, ("d", 100), max_drop=0.05) is not None
    assert truncation_problem(90, ("d", 100), max_drop=0.1) is None
    assert truncation_problem(1, ("d", 100), max_drop=1.0) is None
