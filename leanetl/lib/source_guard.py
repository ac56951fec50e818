"""When a source looks truncated: no rows, or far fewer than the previous partition read (pure)."""


def truncation_problem(rows: int, previous: tuple[str, int] | None, max_drop: float) -> str | None:
    """Why ``rows`` looks like a truncated source, or None when it does not.

    ``previous`` is (partition, rows) of the nearest earlier materialised partition; ``max_drop``
    the largest share of rows a source may lose from one partition to the next (0.5 = half).
    """
    before = f" (partition {previous[0]} had {previous[1]:,})" if previous else ""
    if rows == 0:
        return f"the source yielded no rows{before}"
    if previous and previous[1] > 0:
        drop = 1 - rows / previous[1]
        if drop > max_drop:
            return (
                f"the source yielded {rows:,} rows, {drop:.0%} fewer than the {previous[1]:,} of "
                f"partition {previous[0]} (more than LEANETL_SOURCE_MAX_DROP={max_drop:g})"
            )
    return None
