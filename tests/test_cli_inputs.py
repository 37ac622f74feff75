"""A wrong campaign.toml, through the real command line: one message naming the file and the key, exit 2.

Each case writes one bad campaign.toml into a copy of the sample consulting firm
and runs the commands a user runs on it. None may print a traceback, and the
report commands must stop before their notebook starts.
"""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconnect_lib.cli import main

SAMPLE = Path(__file__).parents[1] / "data" / "sample" / "consulting-firm"
# The sample's reports go to the repository's reports/; the copy's stay in its folder.
GOOD = (
    (SAMPLE / "campaign.toml")
    .read_text(encoding="utf-8")
    .replace('folder = "../../../reports"', 'folder = "reports"')
)


def _replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


def _add(section: str, line: str) -> str:
    return GOOD + f"\n[{section}]\n{line}\n"


# (case, content of campaign.toml, what the message must name besides the file)
VALUES = [
    ("capacity too big", _replace("letter = 10", "letter = 99999999999999999999"), "`plan.capacity.letter`"),
    ("capacity negative", _replace("letter = 10", "letter = -3"), "`plan.capacity.letter`"),
    ("capacity a bool", _replace("letter = 10", "letter = true"), "`plan.capacity.letter`"),
    ("capacity a string", _replace("letter = 10", 'letter = "ten"'), "`plan.capacity.letter`"),
    ("capacity 1e400", _replace("letter = 10", "letter = 1e400"), "`plan.capacity.letter`"),
    (
        "due after zero",
        _replace("due_after_months = 6", "due_after_months = 0"),
        "`dormancy.due_after_months`",
    ),
    (
        "due after a table",
        _replace("due_after_months = 6", "due_after_months = { months = 6 }"),
        "`dormancy.due_after_months`",
    ),
    (
        "keep-up huge",
        _replace("keep_up_weeks = 4", "keep_up_weeks = 99999999999999"),
        "`dormancy.keep_up_weeks`",
    ),
    (
        "edges huge",
        _replace("[6, 12, 24, 36]", "[6, 12, 24, 99999999999999999999]"),
        "`dormancy.edges_months[3]`",
    ),
    ("follow-up huge", _replace("follow_up_days = 7", "follow_up_days = 10000000"), "`plan.follow_up_days`"),
    ("seed a bool", _replace("follow_up_days = 7", "follow_up_days = 7\nseed = true"), "`plan.seed`"),
    (
        "hold-out nan",
        _replace("follow_up_days = 7", "follow_up_days = 7\nholdout_share = nan"),
        "`plan.holdout_share`",
    ),
    ("prior strength inf", _add("value", "prior_strength = 1e400"), "`value.prior_strength`"),
    ("name a table", _replace('name = "consulting-firm"', "name = { a = 1 }"), "`campaign.name`"),
    ("name blank", _replace('name = "consulting-firm"', 'name = "  "'), "`campaign.name`"),
    ("as_of 31 February quoted", _replace("as_of = 2026-11-23", 'as_of = "2024-02-31"'), "`campaign.as_of`"),
    ("as_of a datetime", _replace("as_of = 2026-11-23", "as_of = 2026-11-23T09:30:00"), "`campaign.as_of`"),
    ("as_of year 9999", _replace("as_of = 2026-11-23", "as_of = 9999-11-23"), "`campaign.as_of`"),
    ("as_of year 1066", _replace("as_of = 2026-11-23", "as_of = 1066-10-14"), "`campaign.as_of`"),
    ("empty path", _replace('contacts = "contacts.csv"', 'contacts = ""'), "`data.contacts`"),
    ("path a number", _replace('contacts = "contacts.csv"', "contacts = 7"), "`data.contacts`"),
    ("engine unknown", _add("engine", 'name = "dask"'), "`engine.name`"),
    (
        "currency a sign",
        _replace("as_of = 2026-11-23", 'as_of = 2026-11-23\ncurrency = "£"'),
        "`campaign.currency`",
    ),
    (
        "currency unknown",
        _replace("as_of = 2026-11-23", 'as_of = 2026-11-23\ncurrency = "XYZ"'),
        "`campaign.currency`",
    ),
    (
        "locale unknown",
        _replace("as_of = 2026-11-23", 'as_of = 2026-11-23\nlocale = "xx_YY"'),
        "`campaign.locale`",
    ),
]
FILES = [
    (
        "not UTF-8",
        GOOD.replace("Fictional", "Fictiønal").encode("latin-1"),
        "not UTF-8 text (byte 0xf8 at line",
    ),
    ("binary", bytes(range(256)) * 4, "not UTF-8 text"),
    ("empty", b"", "is empty"),
    ("not TOML", b'[campaign]\nname = "x"\n[data\n', "not valid TOML"),
    (
        "31 February unquoted",
        _replace("as_of = 2026-11-23", "as_of = 2024-02-31").encode(),
        "(at line 8, column",
    ),
]
# Missing files and folders are found when the data is read, before anything is computed.
PATHS = [
    ("missing file", _replace('contacts = "contacts.csv"', 'contacts = "contcts.csv"'), "`data.contacts`"),
    ("folder as a file", _replace('contacts = "contacts.csv"', 'contacts = "."'), "`data.contacts`"),
]


@pytest.fixture
def firm(tmp_path):
    """A copy of the sample firm whose reports stay inside tmp_path."""
    folder = tmp_path / "firm"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("outcomes.sqlite*"))
    return folder


def _commands(tmp_path: Path) -> dict[str, list[str]]:
    return {
        "buckets": ["buckets"],
        "plan": ["plan", "--out", str(tmp_path / "plan-out")],
        "outcome summary": ["outcome", "summary"],
        "report overview": ["report", "overview", "--quiet"],
        "report weekly": ["report", "weekly", "--quiet"],
    }


def _run(firm: Path, content: bytes, command: list[str]):
    toml = firm / "campaign.toml"
    toml.write_bytes(content)
    return CliRunner().invoke(main, [*command, "--config", str(toml)])


def _assert_one_message(result, *names: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    for name in names:
        assert name in result.output


@pytest.mark.parametrize(
    "command", ["buckets", "plan", "outcome summary", "report overview", "report weekly"]
)
@pytest.mark.parametrize(("case", "content", "key"), VALUES, ids=[c[0] for c in VALUES])
def test_a_wrong_value_names_campaign_toml_and_the_key(firm, tmp_path, command, case, content, key):
    result = _run(firm, content.encode("utf-8"), _commands(tmp_path)[command])
    _assert_one_message(result, "campaign.toml", key, "(expected ", "Hint: ")
    assert not (firm / "reports").exists()  # no report folder, no failed notebook: nothing ran


@pytest.mark.parametrize(
    "command", ["buckets", "plan", "outcome summary", "report overview", "report weekly"]
)
@pytest.mark.parametrize(("case", "content", "shown"), FILES, ids=[c[0] for c in FILES])
def test_a_file_that_is_not_a_campaign_says_why(firm, tmp_path, command, case, content, shown):
    result = _run(firm, content, _commands(tmp_path)[command])
    _assert_one_message(result, "campaign.toml", shown)
    assert not (firm / "reports").exists()


@pytest.mark.parametrize("command", ["buckets", "plan", "report overview", "report weekly"])
@pytest.mark.parametrize(("case", "content", "key"), PATHS, ids=[c[0] for c in PATHS])
def test_a_wrong_data_path_names_campaign_toml_and_the_key(firm, tmp_path, command, case, content, key):
    result = _run(firm, content.encode("utf-8"), _commands(tmp_path)[command])
    _assert_one_message(result, "campaign.toml", key)
    assert not (firm / "reports").exists()  # the report commands stop before their notebook


@pytest.mark.parametrize("command", ["plan", "report overview", "report weekly"])
def test_a_week_years_away_is_refused_before_anything_runs(firm, tmp_path, command):
    result = _run(firm, GOOD.encode("utf-8"), [*_commands(tmp_path)[command], "--week", "9999-W01"])
    _assert_one_message(result, "week 9999-W01", "--week")
    assert not (firm / "reports").exists()
    assert not (tmp_path / "plan-out").exists()


@pytest.mark.parametrize(("case", "content", "key"), PATHS, ids=[c[0] for c in PATHS])
def test_outcome_summary_names_the_wrong_data_path(firm, tmp_path, case, content, key):
    # outcome summary reads the files through the loader, whose message names the file and its key
    result = _run(firm, content.encode("utf-8"), _commands(tmp_path)["outcome summary"])
    _assert_one_message(result, "contacts")


def test_a_missing_file_suggests_the_near_name(firm, tmp_path):
    result = _run(firm, PATHS[0][1].encode("utf-8"), ["buckets"])
    assert "did you mean 'contacts.csv'?" in result.output


@pytest.mark.parametrize("command", ["buckets", "plan", "outcome summary"])
def test_campaign_toml_that_is_a_folder(tmp_path, command):
    folder = tmp_path / "campaign.toml"
    folder.mkdir()
    result = CliRunner().invoke(main, [*_commands(tmp_path)[command], "--config", str(folder)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"Error: Invalid value for '--config': File '{folder}' is a directory." in result.output


def test_a_good_copy_runs(firm, tmp_path):
    """The cases above fail because of their one change: the copy itself is fine."""
    assert 'folder = "reports"' in GOOD
    result = _run(firm, GOOD.encode("utf-8"), ["buckets", "--format", "csv"])
    assert result.exit_code == 0, result.output


# Every key at the end of its range at once: what campaign.toml accepts, the commands compute with.
HIGHEST = (
    _replace("as_of = 2026-11-23", "as_of = 2199-12-31")
    .replace("[6, 12, 24, 36]", "[1, 1200]")
    .replace("due_after_months = 6", "due_after_months = 1200")
    .replace("keep_up_weeks = 4", "keep_up_weeks = 520")
    .replace("phone = 10", "phone = 10000000")  # calls: letters would write one document each
    .replace(
        "follow_up_days = 7", "follow_up_days = 365\nholdout_share = 0.9999999999\nseed = 9223372036854775807"
    )
    + "\n[value]\nprior_strength = 1000000\n"
)
LOWEST = (
    _replace("due_after_months = 6", "due_after_months = 1")
    .replace("keep_up_weeks = 4", "keep_up_weeks = 0")
    .replace("letter = 10\nphone = 10", "letter = 1\nphone = 0")
    .replace("follow_up_days = 7", "follow_up_days = 0\nholdout_share = 5e-324\nseed = 0")
    + "\n[value]\nprior_strength = 1e-300\n"
    + 'prior = { "6–12 months" = 1e-300, "1–2 years" = 0.9999999999999999 }\n'
)


@pytest.mark.parametrize("content", [HIGHEST, LOWEST], ids=["highest", "lowest"])
@pytest.mark.parametrize("command", ["buckets", "plan"])
def test_the_ends_of_every_range_compute(firm, tmp_path, content, command):
    args = [*_commands(tmp_path)[command], "--allow-future-as-of"]
    result = _run(firm, content.encode("utf-8"), args)
    assert result.exit_code == 0, result.output
