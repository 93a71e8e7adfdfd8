"""Long histories in failure messages are cut (#10 reports): the first 10 calls, the last 40, the nearest match."""

from __future__ import annotations

import pytest

from asyncfakes import ExpectationsNotMet, FakeAssertionError, FakeConnection, Regex
from asyncfakes._errors import HISTORY_HEAD, HISTORY_TAIL, history_lines, render

pytestmark = pytest.mark.anyio


class Item:
    """A describable history item, as render() and history_lines() take them."""

    def __init__(self, number: int) -> None:
        self.number = number

    def describe(self) -> str:
        return f"#{self.number} item"


def lines_of(count: int) -> list[str]:
    return [f"  #{n} item" for n in range(count)]


def test_the_rule_is_the_first_10_and_the_last_40() -> None:
    """The documented numbers."""
    assert (HISTORY_HEAD, HISTORY_TAIL) == (10, 40)


def test_a_history_of_50_is_shown_whole() -> None:
    items = [Item(n) for n in range(50)]

    assert history_lines(items) == lines_of(50)


def test_a_history_of_51_hides_one_call() -> None:
    items = [Item(n) for n in range(51)]

    assert history_lines(items) == [
        *lines_of(10),
        "  ... 1 call not shown (conn.calls has them all) ...",
        *lines_of(51)[11:],
    ]


def test_a_long_history_shows_the_first_10_and_the_last_40() -> None:
    items = [Item(n) for n in range(5000)]

    lines = history_lines(items)

    assert lines == [
        *lines_of(10),
        "  ... 4950 calls not shown (conn.calls has them all) ...",
        *lines_of(5000)[-40:],
    ]


def test_a_pinned_item_in_the_hidden_part_is_shown_in_its_place() -> None:
    items = [Item(n) for n in range(200)]

    lines = history_lines(items, pinned=[items[100], items[101], items[5], items[190]], mark="nearest match")

    assert lines == [
        *lines_of(10),
        "  ... 90 calls not shown (conn.calls has them all) ...",
        "  #100 item  <- nearest match",
        "  #101 item  <- nearest match",
        "  ... 58 calls not shown (conn.calls has them all) ...",
        *lines_of(200)[-40:],
    ]  # #5 and #190 are shown anyway, once and unmarked


def test_pinned_items_at_the_edges_of_the_hidden_part() -> None:
    items = [Item(n) for n in range(60)]

    lines = history_lines(items, pinned=[items[10], items[19]], mark="named above")

    assert lines == [
        *lines_of(10),
        "  #10 item  <- named above",
        "  ... 8 calls not shown (conn.calls has them all) ...",
        "  #19 item  <- named above",
        *lines_of(60)[-40:],
    ]


def test_render_cuts_the_history_and_keeps_its_title_and_total() -> None:
    items = [Item(n) for n in range(100)]

    text = render("Headline.", history=items, pinned=[items[50]], nearest="#50 item\n  sql differs")

    assert text.splitlines() == [
        "Headline.",
        "Calls on this connection (100):",
        *lines_of(10),
        "  ... 40 calls not shown (conn.calls has them all) ...",
        "  #50 item  <- nearest match",
        "  ... 9 calls not shown (conn.calls has them all) ...",
        *lines_of(100)[-40:],
        "Nearest match: #50 item",
        "  sql differs",
    ]


async def make_calls(conn: FakeConnection, count: int, special: int) -> None:
    for n in range(count):
        if n == special:
            await conn.execute("UPDATE users SET name = $1 WHERE id = $2", ["ada", 7])
        else:
            await conn.fetch_val(f"SELECT {n}")


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_assert_executed_on_5000_calls_shows_the_nearest_match_from_the_middle() -> None:
    """A failing assertion after 5,000 calls prints 52 lines of history, the nearest call among them."""
    conn = FakeConnection()
    await make_calls(conn, 5000, special=2500)

    with pytest.raises(FakeAssertionError) as excinfo:
        conn.assert_executed("UPDATE users SET name = $1 WHERE id = $2", ["ada", 8])

    lines = str(excinfo.value).splitlines()
    start = lines.index("Calls on this connection (5000):") + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("Nearest match: "))
    history = lines[start:end]
    assert history[:10] == [f"  #{n} fetch_val('SELECT {n}') -> returned" for n in range(10)]
    assert history[10:13] == [
        "  ... 2490 calls not shown (conn.calls has them all) ...",
        "  #2500 execute('UPDATE users SET name = $1 WHERE id = $2', ['ada', 7]) -> returned  <- nearest match",
        "  ... 2459 calls not shown (conn.calls has them all) ...",
    ]
    assert history[13:] == [f"  #{n} fetch_val('SELECT {n}') -> returned" for n in range(4960, 5000)]
    assert len(conn.calls) == 5000  # what the message points to


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_assert_any_await_pins_its_nearest_call() -> None:
    conn = FakeConnection()
    await make_calls(conn, 300, special=150)

    with pytest.raises(FakeAssertionError) as excinfo:
        conn.execute.assert_any_await("UPDATE users SET name = $1 WHERE id = $2", ["bob", 7])

    text = str(excinfo.value)
    assert "  ... 140 calls not shown (conn.calls has them all) ...\n  #150 execute(" in text
    assert "-> returned  <- nearest match\n  ... 109 calls not shown" in text
    assert "Nearest match: #150 execute(" in text


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_one_and_assert_not_executed_cut_their_lists_of_calls_too() -> None:
    conn = FakeConnection()
    await make_calls(conn, 300, special=-1)

    with pytest.raises(FakeAssertionError) as one:
        conn.fetch_val.calls.one()
    with pytest.raises(FakeAssertionError) as executed:
        conn.assert_not_executed("SELECT 1")  # one call: listed whole
    with pytest.raises(FakeAssertionError) as many:
        conn.calls.filter(method="fetch_val").assert_not_executed(Regex(r"SELECT \d+"))

    # once in the details, once in the history
    assert str(one.value).count("... 250 calls not shown (conn.calls has them all) ...") == 2
    assert "executed 1 time(s):\n  #1 fetch_val('SELECT 1') -> returned\n" in str(executed.value)
    assert str(many.value).count("... 250 calls not shown") == 2
    assert len(str(many.value).splitlines()) == 1 + 51 + 1 + 51


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_verify_report_cuts_the_history_but_shows_the_calls_its_problems_name() -> None:
    conn = FakeConnection()
    conn.execute.when(sql="UPDATE users SET name = $1 WHERE id = $2", params=["ada", 8]).returns("UPDATE 1")
    await make_calls(conn, 300, special=150)

    with pytest.raises(ExpectationsNotMet) as excinfo:
        conn.verify()

    lines = str(excinfo.value).splitlines()
    start = lines.index("Calls on this connection (300):")
    assert lines[start + 11 : start + 14] == [
        "  ... 140 calls not shown (conn.calls has them all) ...",
        "  #150 execute('UPDATE users SET name = $1 WHERE id = $2', ['ada', 7]) -> returned  <- named above",
        "  ... 109 calls not shown (conn.calls has them all) ...",
    ]
    assert "nearest call: #150 execute(" in "\n".join(lines[:start])
    assert len(lines) - start - 1 == 10 + 3 + 40


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_verify_report_of_a_short_history_is_whole_and_unmarked() -> None:
    conn = FakeConnection()
    conn.execute.when(sql="UPDATE users SET name = $1", params=["ada"]).returns("UPDATE 1")
    await make_calls(conn, 3, special=1)

    with pytest.raises(ExpectationsNotMet) as excinfo:
        conn.verify()

    assert str(excinfo.value).endswith(
        "Calls on this connection (3):\n"
        "  #0 fetch_val('SELECT 0') -> returned\n"
        "  #1 execute('UPDATE users SET name = $1 WHERE id = $2', ['ada', 7]) -> returned\n"
        "  #2 fetch_val('SELECT 2') -> returned"
    )
