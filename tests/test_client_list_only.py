"""A client list with summary columns and no history works in every output, and they agree.

The README supports this shape ("a client list that already carries
summaries"); the overview used to fail on it (the purchase-rhythm section
needs a history it did not have).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import report_numbers, run_cli

CLIENTS = """client_id,name,email,phone,address_line1,city,postcode,last_contact,last_purchase,total_revenue
C1,Ada Byron,ada@example.com,020 7946 0001,1 High St,Bath,BA1 1AA,2026-10-01,2026-09-15,1200.50
C2,Parkside Ltd,info@parkside.example,020 7946 0002,2 Low Rd,Bath,BA1 1AB,2025-01-10,2024-12-01,8400.00
C3,Willow Carter,,020 7946 0003,3 Mill Ln,Bath,BA1 1AC,2023-05-02,2023-04-20,310.00
C4,Omar Haddad,omar@example.com,,4 Park Ave,Bath,BA1 1AD,,2022-02-14,95.00
C5,Lena Vogt,lena@example.com,020 7946 0005,5 Kings Rd,Bath,BA1 1AE,2026-11-20,,0
"""


@pytest.fixture
def client_list_only(tmp_path: Path) -> Path:
    folder = tmp_path / "firm"
    folder.mkdir()
    (folder / "clients.csv").write_text(CLIENTS, encoding="utf-8")
    toml = folder / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "List only"\nas_of = 2026-11-23\n\n[data]\nclients = "clients.csv"\n\n'
        '[plan.capacity]\nletter = 2\nphone = 1\n\n[reports]\nfolder = "../reports"\n',
        encoding="utf-8",
    )
    return toml


@pytest.mark.slow
def test_a_client_list_without_history_goes_through_every_output(client_list_only, tmp_path):
    config = str(client_list_only)
    buckets = json.loads(run_cli("buckets", "--config", config, "--format", "json"))
    due = sum(row["due_contactable"] for row in buckets)
    assert due == 3  # C2, C3, C4: silent for more than 6 months
    run_cli("plan", "--config", config, "--out", str(tmp_path / "plan"))
    overview = report_numbers(run_cli("report", "overview", "--config", config, "--quiet"))
    weekly = report_numbers(run_cli("report", "weekly", "--config", config, "--quiet"))
    assert overview["due_contactable"] == weekly["due_contactable"] == due
    assert weekly["catch_up_clients"] + sum(weekly["not_in_catch_up"].values()) == due
