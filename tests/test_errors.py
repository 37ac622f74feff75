"""Errors render one readable message naming file, column, rows, values and the fix."""

from reconnect_lib.errors import InputError, Problem, ReconnectError


def test_message_names_file_column_rows_expected_and_hint():
    err = InputError(
        "'31/02/2024' is not a date",
        file="/data/clients.csv",
        column="last_contact",
        rows=[14, 92],
        expected="YYYY-MM-DD or a `date_format` in campaign.toml",
        hint='set date_format = "%d/%m/%Y"',
    )
    text = str(err)
    assert text.startswith("clients.csv, column `last_contact`, rows 14, 92: '31/02/2024' is not a date")
    assert "(expected YYYY-MM-DD or a `date_format` in campaign.toml)" in text
    assert text.endswith('Hint: set date_format = "%d/%m/%Y"')
    assert isinstance(err, ReconnectError)


def test_long_row_lists_are_cut_with_a_count():
    text = Problem("bad", rows=list(range(1, 13)), values=list("abcdefghijkl")).render()
    assert "rows 1, 2, 3, 4, 5 and 7 more" in text
    assert "(found 'a', 'b', 'c', 'd', 'e')" in text


def test_single_row_is_singular():
    assert Problem("bad", rows=[3]).render() == "row 3: bad"


def test_several_problems_are_reported_together():
    problems = [
        Problem("duplicate id", file="c.csv", column="client_id", rows=[2, 5]),
        Problem("not a date", file="c.csv", column="client_since", rows=[7], hint="fix it"),
    ]
    err = InputError.from_problems(problems, file="c.csv")
    text = str(err)
    assert text.splitlines()[0] == "2 problems in c.csv:"
    assert "- c.csv, column `client_id`, rows 2, 5: duplicate id" in text
    assert "- c.csv, column `client_since`, row 7: not a date" in text
    assert "Hint: fix it" in text
    assert err.problems == problems


def test_one_problem_becomes_the_error_itself():
    p = Problem("missing column", file="t.csv", column="amount")
    err = InputError.from_problems([p])
    assert err.column == "amount"
    assert str(err) == "t.csv, column `amount`: missing column"


def test_a_long_value_is_cut_and_says_how_long_it_was():
    text = str(InputError("not an amount", file="t.csv", column="amount", rows=[1], values=["9" * 400]))
    assert "9" * 80 not in text
    assert "(400 characters)" in text
    assert len(text) < 200
