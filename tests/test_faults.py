"""Faults while writing: names that escape a folder, kills, read-only targets, full disks, races.

Whatever goes wrong while reconnect writes, nothing the user had is gone, no
half-written file sits at a final path, the error is one readable message, and a
rerun succeeds and removes what the failed run left.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconnect_lib.files import safe_folder_name

# --- safe_folder_name --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["consulting-firm", "financial-planner", "Pike & Okoye (2026)", "Büro Müller", "q4_2026.v2"]
)
def test_safe_folder_name_keeps_a_readable_name(name):
    assert safe_folder_name(name) == name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("/abs", "abs"),
        ("../../..", "campaign"),
        ("..", "campaign"),
        (".", "campaign"),
        ("", "campaign"),
        ("a/../../b", "a-.-.-b"),
        ("C:\\Windows\\x", "C-Windows-x"),
        (".hidden", "hidden"),
        ("nul", "_nul"),
        ("COM1.txt", "_COM1.txt"),
        ("line\nbreak\ttab", "line-break-tab"),
        ("trailing. ", "trailing"),
    ],
)
def test_safe_folder_name_makes_one_harmless_folder(name, expected):
    assert safe_folder_name(name) == expected


def test_safe_folder_name_bounds_length_and_keeps_long_names_apart():
    a, b = "x" * 300 + "a", "x" * 300 + "b"
    assert len(safe_folder_name(a)) <= 80
    assert len(safe_folder_name("é" * 300).encode()) <= 160
    assert safe_folder_name(a) != safe_folder_name(b)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_safe_folder_name_never_leaves_its_folder(name):
    out = safe_folder_name(name)
    base = Path("/tmp/sf").resolve()
    assert out
    assert out not in (".", "..")
    assert "/" not in out
    assert "\\" not in out
    assert ".." not in out
    assert not out.startswith((".", "-", " "))
    assert not out.endswith((".", " "))
    assert all(ord(c) >= 32 and c not in '<>:"|?*' for c in out)
    assert len(out) <= 80
    assert len(out.encode("utf-8")) <= 160
    assert Path(out).name == out
    assert (base / out).resolve().parent == base
    assert safe_folder_name(out) == out  # applying it twice changes nothing
