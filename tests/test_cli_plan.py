"""The ``reconnect plan`` command on the sample consulting firm."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reconnect_lib.cli import main
from reconnect_lib.cli.plan import _REASON_LABELS
from reconnect_lib.exports import firm_name
from reconnect_lib.files import safe_folder_name
from reconnect_lib.plan import EXCLUSION_REASONS
from reconnect_lib.widgets import _LEFT_OUT

SAMPLE = Path(__file__).parents[1] / "data" / "sample" / "consulting-firm"


@pytest.fixture
def campaign(consulting_copy: Path) -> Path:
    return consulting_copy


def run(*args: str):
    result = CliRunner().invoke(main, ["plan", *args])
    assert "Traceback" not in result.output
    return result


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_plan_prints_the_forecast_writes_the_week_and_reruns_identically(campaign):
    first = run("--config", str(campaign))
    assert first.exit_code == 0, first.output
    out = first.output
    assert "consulting-firm: contact plan as of 2026-11-23: week 2026-W48" in out
    assert "Letters" in out
    assert "Catch-up: 460 due clients to contact; 450 left after 2026-W48." in out
    assert "at 10 letters a week the catch-up ends in 2027-W40 (46 weeks from 2026-W48)" in out
    assert "To finish in 26 weeks (by 2027-W20): 18 letters a week." in out
    assert "Not planned: 17 do not contact, 9 recently contacted." in out
    assert "hold-out off: 460 due clients to contact, fewer than 1,000" in out

    folder = campaign.parents[1] / "reports" / "consulting-firm" / "2026-W48" / "plan"
    files = snapshot(folder)
    assert {"plan.csv", "excluded.csv", "holdout.csv", "call_sheet.csv", "call_sheet.html"} <= set(files)
    assert {"mail_merge.csv", "letters.html"} <= set(files)
    assert len([f for f in files if f.startswith("letters/")]) == 10
    letters = files["letters.html"].decode("utf-8")
    assert letters.count('<section class="letter"') == 10
    assert "Pike &amp; Okoye" in letters  # [sender] firm of the sample
    merge = pd.read_csv(folder / "mail_merge.csv", encoding="utf-8-sig")
    assert len(merge) == 10
    assert (
        merge["FollowUpDate"].str.startswith(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")).all()
    )

    again = run("--config", str(campaign))
    assert again.exit_code == 0
    assert again.output == first.output
    assert snapshot(folder) == files


def test_plan_for_a_later_week_with_options(campaign, tmp_path):
    template = tmp_path / "short.html.j2"
    template.write_text("<p>{{ salutation }}, {{ promise }}</p>\n<p>{{ sender }}</p>\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(
        "--config", str(campaign), "--week", "2026-W49", "--out", str(out),
        "--template", str(template), "--firm", "Pike & Okoye", "--sender", "Daniel Okoye",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "week 2026-W49" in result.output
    assert "450 due clients" not in result.output
    assert "440 left after 2026-W49" in result.output
    calls = pd.read_csv(out / "call_sheet.csv", encoding="utf-8-sig")
    assert len(calls) == 10
    assert calls["FollowingUp"].str.startswith("Our letter of").all()
    letters = (out / "letters.html").read_text(encoding="utf-8")
    assert letters.count("I will call you on") == 10
    assert "Daniel Okoye" in letters
    assert "I owe you an apology" not in letters  # the consultant's own template


def test_a_small_business_list_with_emails_and_phones_is_planned_and_signed_from_sender(tmp_path):
    # A consultant's own spreadsheet: one "Customer" column (people and businesses), e-mail and
    # phone, no postal address; campaign.toml's default capacities and a [sender] table.
    rows = [
        ("Willow Tree Cafe", "willow@example.com", "07700 900001", "2024-03-04"),
        ("Parkside Dental Ltd", "", "07700 900002", "2023-01-10"),
        ("Ann Lee", "ann@example.com", "", "2022-05-01"),
        ("Bob Stone", "bob@example.com", "07700 900004", "2021-05-01"),
    ]
    table = pd.DataFrame(rows, columns=["Customer", "E-mail", "Phone", "Last contacted"])
    table.to_csv(tmp_path / "clients.csv", index=False)
    config = tmp_path / "campaign.toml"
    config.write_text(
        '[campaign]\nname = "small-firm"\nas_of = 2026-11-23\n'
        '[data]\nclients = "clients.csv"\n'
        '[data.columns.clients]\nclient_id = "Customer"\nname = "Customer"\nlast_contact = "Last contacted"\n'
        '[sender]\nfirm = "Pike & Okoye"\nsigner = "Daniel Okoye"\nrole = "Director"\n'
        'email = "office@pike-okoye.example"\n',
        encoding="utf-8",
    )
    result = run("--config", str(config), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "Catch-up: 4 due clients to contact" in result.output
    assert "unreachable" not in result.output
    plan = pd.read_csv(tmp_path / "out" / "plan.csv", encoding="utf-8-sig")
    first = plan.loc[plan["action"].isin(["letter", "email", "call"])].set_index("client_id")["channel"]
    assert first.to_dict() == {
        "Willow Tree Cafe": "email",
        "Parkside Dental Ltd": "phone",
        "Ann Lee": "email",
        "Bob Stone": "email",
    }
    drafts = sorted((tmp_path / "out" / "emails").iterdir())
    assert len(drafts) == 3
    text = b"".join(d.read_bytes() for d in drafts).decode("utf-8")
    assert "From: Daniel Okoye <office@pike-okoye.example>" in text
    assert "Dear friends at Willow Tree Cafe," in text
    assert "Dear Willow" not in text
    assert "Pike & Okoye" in text
    assert "emails/" in result.output


def test_plan_errors_are_one_message_and_exit_2(campaign, tmp_path):
    early = run("--config", str(campaign), "--week", "2026-W40")
    assert early.exit_code == 2
    assert "before the plan starts" in early.output
    bad = run("--config", str(campaign), "--week", "48")
    assert bad.exit_code == 2
    assert "not an ISO week" in bad.output
    template = tmp_path / "broken.j2"
    template.write_text("{% if %}", encoding="utf-8")
    broken = run("--config", str(campaign), "--template", str(template), "--out", str(tmp_path / "o"))
    assert broken.exit_code == 2
    assert "broken.j2" in broken.output
    assert "template error on line 1" in broken.output
    assert not (tmp_path / "o").exists()


def test_firm_name_from_the_campaign_name():
    assert firm_name("consulting-firm") == "Consulting Firm"
    assert firm_name("acme_2026") == "Acme 2026"


def test_every_exclusion_reason_has_its_words_in_the_cli_and_the_explorer():
    assert set(_REASON_LABELS) == set(EXCLUSION_REASONS)
    assert set(_LEFT_OUT) == set(EXCLUSION_REASONS)


def test_plan_out_pointed_at_the_campaign_folder_refuses_and_keeps_every_file(campaign):
    folder = campaign.parent
    (folder / "notes.txt").write_bytes(b"the consultant's notes")
    before = snapshot(folder)
    result = run("--config", str(campaign), "--out", str(folder))
    assert result.exit_code == 2, result.output
    assert str(folder) in result.output
    assert "did not write: campaign.toml, clients.csv, contacts.csv, notes.txt" in result.output
    assert "choose an empty or new folder for --out" in result.output
    assert snapshot(folder) == before


def test_plan_out_dot_writes_into_an_empty_folder_and_refuses_a_full_one(campaign, tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert run("--config", str(campaign), "--out", ".").exit_code == 0
    assert (here / "plan.csv").exists()
    assert run("--config", str(campaign), "--out", ".").exit_code == 0  # its own files: replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["firm", "here"]  # nothing beside it
    monkeypatch.chdir(campaign.parent)
    before = snapshot(campaign.parent)
    refused = run("--config", str(campaign), "--out", ".")
    assert refused.exit_code == 2
    assert "did not write: campaign.toml" in refused.output
    assert snapshot(campaign.parent) == before


@pytest.mark.parametrize(
    "name", [".hidden", "é" * 200, "Q4: win-back?", "CON", "/abs", "../../..", "Acme / Partners"]
)
def test_a_campaign_name_becomes_one_safe_folder_of_the_reports_folder(campaign, name):
    # a name that reads as a path (absolute, "..", separators) still makes one folder of the reports
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace('name = "consulting-firm"', f'name = "{name}"'), encoding="utf-8")
    result = run("--config", str(campaign))
    assert result.exit_code == 0, result.output
    reports = campaign.parents[1] / "reports"
    assert [p.name for p in reports.iterdir()] == [safe_folder_name(name)]
    assert (reports / safe_folder_name(name) / "2026-W48" / "plan" / "plan.csv").exists()


@pytest.mark.parametrize("blocker", ["file", "parent_file", "read_only"])
def test_an_unwritable_reports_folder_is_one_message(campaign, blocker, monkeypatch):
    reports = campaign.parents[1] / "reports"
    if blocker == "file":
        reports.write_text("not a folder", encoding="utf-8")
    elif blocker == "parent_file":
        reports.mkdir()
        (reports / "consulting-firm").write_text("not a folder", encoding="utf-8")
    else:  # chmod does not stop root: refuse the way a read-only folder would
        import errno
        import os

        real_mkdir = Path.mkdir

        def read_only(self, *args, **kwargs):
            if reports in (self, *self.parents):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
            return real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", read_only)
    result = run("--config", str(campaign))
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.output
    assert "Hint:" in result.output
    if blocker != "read_only":
        assert "is a file, not a folder" in result.output
    else:
        assert "permission denied" in result.output


@pytest.mark.parametrize("command", ["plan", "buckets"])
def test_a_campaign_name_that_looks_like_terminal_markup_is_printed_as_typed(campaign, command):
    # The summary's title was rich markup: a campaign called "Acme [/]" ended in a traceback (MarkupError)
    # and "[red]" or "[link=...]" in it changed how the terminal showed it.
    name = "Acme [/] [red]x[/red] [link=https://example.com]y[/link]"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace('name = "consulting-firm"', f'name = "{name}"'), encoding="utf-8")
    result = CliRunner().invoke(main, [command, "--config", str(campaign)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith(name + ": ")
