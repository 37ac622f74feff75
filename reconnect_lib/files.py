"""Writing a user's files without losing, half-writing or exposing anything.

Every file reconnect_lib writes goes through this module:

- :func:`safe_folder_name` turns a free-text name (the campaign's) into one
  folder name that stays inside the folder it is joined to.
- :func:`atomic_write_text` / :func:`atomic_write_bytes` write a temporary file
  in the target's folder and then ``os.replace`` it over the target, so a reader
  (or a run killed half-way) sees the old file or the new one, never half.
- :func:`temp_dir` is a scratch folder beside the final files, on the same disk
  so its files can be moved into place with ``os.replace``.
- :func:`clean_stale_temps` removes the temporary files and folders that a run
  which was killed (power cut, ``kill -9``) left behind. Temporary names carry
  the writing process's id (``.tmp-r<pid>-...``), so a run removes only those
  whose process is gone and never those of a run still going.
- :func:`os_errors` turns an ``OSError`` (a read-only folder, a path through a
  file, a full disk) into a :class:`WriteError` naming the path and what to do.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import threading
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ReconnectError

TMP_PREFIX = ".tmp-"
MAX_FOLDER_NAME = 80  # characters; also at most MAX_FOLDER_BYTES in UTF-8 (filesystems allow 255)
MAX_FOLDER_BYTES = 160
LEGACY_TEMP_AGE = 3600.0  # seconds; temporary names written before they carried a process id

_OURS = re.compile(r"^\.tmp-r(\d+)-")
_BAD_CHARS = set('<>:"/\\|?*')
_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10)}
_live: set[str] = set()  # temporary paths this process is using right now
_live_lock = threading.Lock()


class WriteError(ReconnectError):
    """A file or folder could not be written (read-only, a file in the way, a full disk)."""


# --- names -------------------------------------------------------------------------------


def safe_folder_name(name: object, *, fallback: str = "campaign") -> str:
    """One folder name made from free text, e.g. a campaign's name.

    Keeps a readable name as it is (``consulting-firm`` stays
    ``consulting-firm``). Otherwise path separators, characters Windows forbids
    (``<>:"|?*``) and control characters become ``-``; runs of dots become one
    dot (so never ``..``); leading dots, dashes and spaces and trailing dots and
    spaces are dropped (no hidden folder, nothing Windows would strip); a name
    Windows reserves (``CON``, ``NUL``, ``COM1``...) gets a leading ``_``; a name
    longer than 80 characters (or 160 UTF-8 bytes) is cut and ends with a short
    hash of the whole name, so two long names stay apart; an empty result is
    `fallback`. The result joined to a folder is always a child of that folder.

    >>> safe_folder_name("consulting-firm")
    'consulting-firm'
    >>> safe_folder_name("../../etc")
    'etc'
    >>> safe_folder_name("/abs/path")
    'abs-path'
    >>> safe_folder_name("..")
    'campaign'
    """
    text = unicodedata.normalize("NFC", str(name))
    chars = []
    for c in text:
        category = unicodedata.category(c)
        if c in _BAD_CHARS or category in _BAD_CATEGORIES:
            chars.append("-")
        elif category == "Zs":
            chars.append(" ")
        else:
            chars.append(c)
    text = "".join(chars)
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(r"-{2,}", "-", text)
    text = text.lstrip(" .-").rstrip(" .-")
    if text.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        text = "_" + text
    if len(text) > MAX_FOLDER_NAME or len(text.encode("utf-8")) > MAX_FOLDER_BYTES:
        digest = hashlib.sha256(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:8]
        cut = text[: MAX_FOLDER_NAME - len(digest) - 1]
        while len(cut.encode("utf-8")) > MAX_FOLDER_BYTES - len(digest) - 1:
            cut = cut[:-1]
        text = f"{cut.rstrip(' .-')}-{digest}"
    if not text:
        return fallback
    return text


# --- temporary files and folders ---------------------------------------------------------


def temp_name(label: str) -> str:
    """A temporary name for this process: ``.tmp-r<pid>-<label>-<random>``."""
    label = re.sub(r"[^A-Za-z0-9_-]+", "_", label)[:40]
    return f"{TMP_PREFIX}r{os.getpid()}-{label}-{uuid.uuid4().hex[:10]}"


@contextmanager
def _registered(path: Path) -> Iterator[Path]:
    key = os.path.abspath(path)
    with _live_lock:
        _live.add(key)
    try:
        yield path
    finally:
        with _live_lock:
            _live.discard(key)


@contextmanager
def temp_dir(folder: Path | str, label: str) -> Iterator[Path]:
    """A new empty scratch folder inside `folder`, removed on leaving (also on error)."""
    path = Path(folder) / temp_name(label)
    with os_errors(path):
        path.mkdir(mode=0o755)
    with _registered(path):
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would end the process there: keep the temp, the age rule applies
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: the process exists, owned by someone else
        return True
    return True


def _is_stale(path: Path, legacy: re.Pattern[str] | None, now: float) -> bool:
    match = _OURS.match(path.name)
    if match:
        pid = int(match.group(1))
        if pid == os.getpid():
            with _live_lock:
                return os.path.abspath(path) not in _live
        if _pid_alive(pid):
            return os.name == "nt" and _age(path, now) > LEGACY_TEMP_AGE
        return True
    if legacy is not None and legacy.fullmatch(path.name):
        return _age(path, now) > LEGACY_TEMP_AGE
    return False


def _age(path: Path, now: float) -> float:
    try:
        return now - path.lstat().st_mtime
    except OSError:
        return 0.0


def clean_stale_temps(folder: Path | str, *, legacy: re.Pattern[str] | None = None) -> list[Path]:
    """Remove the temporary files and folders a killed run left in `folder`; return them.

    Only names reconnect_lib creates are considered: ``.tmp-r<pid>-...`` whose
    process is gone (or is this one, but no longer using it), and names matching
    `legacy` (those written before names carried a process id) once they are an
    hour old. Anything else is left alone; a missing `folder` is fine.
    """
    folder = Path(folder)
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    now = time.time()
    removed = []
    for path in sorted(entries):
        if not path.name.startswith(TMP_PREFIX) or not _is_stale(path, legacy, now):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue  # not ours to fight over: another run may be removing it too
        removed.append(path)
    return removed


# --- atomic writes -----------------------------------------------------------------------


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write `data` to `path` via a temporary file in the same folder and ``os.replace``.

    A reader sees the old file or the new one, never half of one; on any error
    (e.g. a full disk) the old file is untouched and no temporary file is left.
    An ``OSError`` becomes a :class:`WriteError` naming `path`.
    """
    path = Path(path)
    tmp = path.parent / temp_name(path.name)
    with os_errors(path), _registered(tmp):
        try:
            with open(tmp, "xb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return path


def atomic_write_text(path: Path | str, text: str, *, encoding: str = "utf-8", newline: str = "") -> Path:
    """:func:`atomic_write_bytes` of `text`; ``newline="\\n"`` style translation as in ``open``."""
    if newline not in ("", "\n", None):
        text = text.replace("\n", newline)
    return atomic_write_bytes(path, text.encode(encoding))


# --- errors ------------------------------------------------------------------------------


def _blocking_file(path: Path) -> Path | None:
    """The first existing non-folder among `path`'s parents, if any."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def write_error(err: OSError, path: Path | str, *, hint: str | None = None) -> WriteError:
    """A :class:`WriteError` for an ``OSError`` met while writing `path`."""
    path = Path(path)
    where = Path(err.filename) if getattr(err, "filename", None) else path
    code = err.errno
    if code == errno.ENOTDIR or (code == errno.EEXIST and _blocking_file(where)):
        blocking = _blocking_file(where) or _blocking_file(path) or where
        return WriteError(
            f"cannot write {path}: {blocking} is a file, not a folder",
            hint=hint or f"move or rename {blocking}, or choose another folder",
        )
    if code == errno.EEXIST and where.exists() and not where.is_dir():
        return WriteError(
            f"cannot write {path}: {where} is a file, not a folder",
            hint=hint or f"move or rename {where}, or choose another folder",
        )
    if code in (errno.EACCES, errno.EPERM):
        return WriteError(
            f"cannot write {path}: permission denied on {where}",
            hint=hint or f"make {where if where.is_dir() else where.parent} writable, or choose another one",
        )
    if code == errno.EROFS:
        return WriteError(
            f"cannot write {path}: {where} is on a read-only disk",
            hint=hint or "choose a folder on a writable disk",
        )
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return WriteError(
            f"cannot write {path}: the disk is full",
            hint=hint or "free some disk space and run again; the files already there are unchanged",
        )
    if code == errno.ENAMETOOLONG:
        return WriteError(f"cannot write {path}: the name is too long", hint=hint or "use a shorter folder")
    return WriteError(f"cannot write {path}: {err.strerror or err}", hint=hint)


@contextmanager
def os_errors(path: Path | str, *, hint: str | None = None) -> Iterator[None]:
    """Turn an ``OSError`` raised inside the block into a :class:`WriteError` about `path`."""
    try:
        yield
    except WriteError:
        raise
    except OSError as err:
        raise write_error(err, path, hint=hint) from err


def make_folder(path: Path | str, *, hint: str | None = None) -> Path:
    """Create `path` and its parents if needed; a :class:`WriteError` when that is impossible."""
    path = Path(path)
    with os_errors(path, hint=hint):
        if path.exists() and not path.is_dir():
            raise WriteError(
                f"cannot write into {path}: it is a file, not a folder",
                hint=hint or f"move or rename {path}, or choose another folder",
            )
        path.mkdir(parents=True, exist_ok=True)
    return path
