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
import json
import os
import re
import shutil
import socket
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .errors import ReconnectError

TMP_PREFIX = ".tmp-"
MAX_FOLDER_NAME = 80  # characters; also at most MAX_FOLDER_BYTES in UTF-8 (filesystems allow 255)
MAX_FOLDER_BYTES = 160
LEGACY_TEMP_AGE = 3600.0  # seconds; temporary names written before they carried a process id
OTHER_HOST_TEMP_AGE = 86400.0  # seconds; temporary names of a run on another machine sharing the folder

# The errors of writing that a user can fix: a full disk, no permission, a file in the way...
WRITE_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("ENOSPC", "EDQUOT", "EACCES", "EPERM", "EROFS", "ENOTDIR", "EISDIR", "ENAMETOOLONG")
    if hasattr(errno, name)
)
_OURS = re.compile(r"^\.tmp-r(\d+)(?:\.([0-9a-f]{6}))?-")
_BAD_CHARS = set('<>:"/\\|?*')
_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10)}
_live: set[str] = set()  # temporary paths this process is using right now
_live_lock = threading.Lock()
_thread_locks: dict[str, threading.Lock] = {}


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


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


def temp_name(label: str) -> str:
    """A temporary name for this process: ``.tmp-r<pid>.<host>-<label>-<random>``.

    The host tag tells a run on another machine sharing the folder (whose
    process ids mean nothing here) from a run of this one.
    """
    label = re.sub(r"[^A-Za-z0-9_-]+", "_", label)[:40]
    return f"{TMP_PREFIX}r{os.getpid()}.{_host()}-{label}-{uuid.uuid4().hex[:10]}"


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
    with _registered(path):  # registered first: another thread's clean-up never takes it
        with os_errors(path):
            path.mkdir(mode=0o755)
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
    if match and match.group(2) not in (None, _host()):  # another machine's: by age alone
        return _age(path, now) > OTHER_HOST_TEMP_AGE
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

    Only names reconnect_lib creates are considered: ``.tmp-r<pid>.<host>-...``
    of this machine whose process is gone (or is this one, but no longer using
    it); those of another machine once they are a day old; and names matching
    `legacy` (written before names carried a process id) once they are an hour
    old. Anything else is left alone; a missing `folder` is fine.
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
        for part in (*reversed(path.parents), path):
            if part.is_symlink() and not part.exists():  # mkdir would say only "File exists"
                target = os.readlink(part)
                raise WriteError(
                    f"cannot write into {path}: {part} is a link to {target}, which does not exist",
                    hint=hint or f"create {target} or remove the link {part}",
                )
        path.mkdir(parents=True, exist_ok=True)
    return path


# --- a folder of files one command owns ---------------------------------------------------

LOCK_WAIT = 60.0  # seconds a run waits for another run writing the same folder


def _try_lock(fd: int) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    except OSError as err:
        if err.errno in (errno.EACCES, errno.EAGAIN, errno.EDEADLK):
            return False
        if err.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            return True  # a disk that cannot lock (some network drives): go on as before locks
        raise
    return True


@contextmanager
def folder_lock(folder: Path | str, name: str, *, what: str) -> Iterator[None]:
    """Hold a lock on ``folder/name`` while writing `folder`, so two runs never interleave their files.

    The operating system releases the lock when its process ends, however it
    ends, so a killed run never blocks the next one. A run finding the lock held
    waits up to a minute, then stops with a :class:`WriteError`. Within one
    process, threads take turns too.
    """
    folder = Path(folder)
    lock = folder / name
    key = os.path.abspath(lock)
    with _live_lock:
        thread_lock = _thread_locks.setdefault(key, threading.Lock())
    deadline = time.monotonic() + LOCK_WAIT
    busy = WriteError(f"another {what} is writing {folder}", hint="wait for it to finish and run again")
    if not thread_lock.acquire(timeout=LOCK_WAIT):
        raise busy
    try:
        if lock.is_symlink():  # opening it would create or lock the file it points to, outside `folder`
            raise WriteError(
                f"cannot write {folder}: {lock} is a link, not the lock file {what} keeps there",
                hint=f"remove the link {lock}",
            )
        with os_errors(lock):
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            while not _try_lock(fd):
                if time.monotonic() > deadline:
                    raise busy
                time.sleep(0.2)
            yield
        finally:
            os.close(fd)  # closing releases the lock
    finally:
        thread_lock.release()


def _read_manifest(path: Path) -> dict[str, set[str]] | None:
    """The files a manifest lists, each with the SHA-256 digests its content may have (empty: unknown)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        digests = data.get("sha256") or {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    if not isinstance(digests, dict):
        digests = {}
    out = {}
    for rel in files:
        if _relative_ok(rel):
            known = digests.get(rel)
            known = [known] if isinstance(known, str) else known if isinstance(known, list) else []
            out[rel] = {d for d in known if isinstance(d, str)}
    return out


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        return _digest(path.read_bytes())
    except OSError:
        return None


def _blocker(folder: Path, rel: str) -> str | None:
    """The part of `rel` inside `folder` that is a symlink, or a file where a folder must be, if any."""
    here = folder
    parts = Path(rel).parts
    for i, part in enumerate(parts):
        here = here / part
        if here.is_symlink() or (i < len(parts) - 1 and here.exists() and not here.is_dir()):
            return Path(*parts[: i + 1]).as_posix()
    return None


def _through_link(folder: Path, rel: str) -> bool:
    """Whether `rel` inside `folder` is, or lies in, a symlink or a non-folder: not a place to write."""
    return _blocker(folder, rel) is not None


def _relative_ok(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts


def _shown(names: list[str]) -> str:
    shown = ", ".join(sorted(names)[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def write_owned_folder(
    folder: Path | str,
    files: dict[str, bytes],
    *,
    manifest: str,
    what: str,
    option: str = "the output folder",
    legacy_temps: re.Pattern[str] | None = None,
    adopt: re.Pattern[str] | Callable[[Path], list[str] | None] | None = None,
    names: re.Pattern[str] | None = None,
) -> Path:
    """Write `files` (relative path -> bytes) into `folder`, which this command owns.

    `folder` is used only when it is absent, empty, or was written by the same
    command before: then ``folder/manifest`` lists the files it wrote. A rerun
    replaces exactly those (removing the ones it no longer writes) and leaves
    anything else in `folder`, and everything outside it, alone. A folder
    holding files of its own, or a file the new run would write over that the
    last run did not write, is refused with a :class:`WriteError` and nothing is
    changed.

    The new files are written into a scratch folder inside `folder` first (a full
    disk fails there, with nothing changed), then each is moved into place with
    ``os.replace``: every file is the old one or the new one, never half. The
    manifest lists the old and new files while they are moved, so a run killed
    right then leaves a folder the next run still recognises and completes;
    scratch folders of killed runs are removed by the next run. Two runs on the
    same folder take turns (:func:`folder_lock`).

    `adopt` recognises a folder written before manifests existed: when every
    file in it (as a ``/``-separated relative path) matches the pattern, those
    files count as the last run's; or a function of the folder returning the
    files to count as the last run's, or None.

    Whatever the manifest says (a user may have edited it), a rerun deletes or
    replaces only a file that is inside `folder` and reached without a symlink,
    that is not itself a symlink, whose path matches `names` (the paths this
    command writes, when given) and whose content is what the last run wrote
    (the manifest keeps each file's SHA-256). A listed file changed since
    (e.g. a call sheet the staff filled in) is refused like a file of someone
    else when the new run would write it, and otherwise left alone.
    """
    folder = Path(folder)
    for rel in files:
        if not _relative_ok(rel):
            raise ValueError(f"{rel!r} is not a path inside the folder")
    clean_stale_temps(folder.parent, legacy=legacy_temps)
    make_folder(folder, hint=f"choose another folder for {option}")
    lock_name = Path(manifest).stem + ".lock"
    manifest_path = folder / manifest
    shown_folder = os.path.abspath(folder)  # "." says nothing in a message

    def ours() -> dict[str, set[str]]:
        """The files the last run wrote (with their digests); a WriteError when `folder` is someone else's."""
        old = _read_manifest(manifest_path)
        if old is None:
            if callable(adopt):
                adopted = adopt(folder)
            elif adopt is not None:
                adopted = _adopted(folder, adopt, skip=(manifest, lock_name))
            else:
                adopted = None
            old = None if adopted is None else {rel: set() for rel in adopted if _relative_ok(rel)}
        with os_errors(folder):
            present = sorted(
                p.name
                for p in folder.iterdir()
                if p.name not in (manifest, lock_name) and not _OURS.match(p.name)
            )
        if old is None and present:
            raise WriteError(
                f"{shown_folder} holds files that {what} did not write: {_shown(present)}",
                hint=f"choose an empty or new folder for {option}; {what} replaces only files it wrote there",
            )
        return old or {}

    def still_ours(old: dict[str, set[str]]) -> list[str]:
        """The listed files that are still as the last run left them, so that a rerun may replace them."""
        kept = []
        for rel, digests in old.items():
            if (names is not None and not names.fullmatch(rel)) or _through_link(folder, rel):
                continue
            path = folder / rel
            if not path.is_file():
                continue
            if digests and _file_digest(path) not in digests:
                continue  # changed since it was written: someone's work now
            kept.append(rel)
        return kept

    ours()  # before the lock file is made: a folder that is not ours gets nothing, not even a lock
    with folder_lock(folder, lock_name, what=what):
        clean_stale_temps(folder)  # under the lock: no run of this command is using them
        listed = ours()
        old = still_ours(listed)
        blocked = {rel: _blocker(folder, rel) for rel in files}
        in_the_way = [b for b in blocked.values() if b is not None]
        in_the_way += [
            rel for rel in files if not blocked[rel] and rel not in old and os.path.lexists(folder / rel)
        ]
        changed = sorted({rel for rel in in_the_way if rel in listed and not _through_link(folder, rel)})
        if changed:
            raise WriteError(
                f"{shown_folder} holds files that {what} wrote but that were changed since: "
                + _shown(changed),
                hint="keep a copy of your changes elsewhere and remove them, "
                f"or choose another folder for {option}",
            )
        if in_the_way:
            raise WriteError(
                f"{shown_folder} holds files that {what} would overwrite but did not write: "
                + _shown(sorted(set(in_the_way))),
                hint=f"move them away, or choose another folder for {option}",
            )
        with temp_dir(folder, what.split()[-1]) as stage:
            with os_errors(folder):
                for rel, data in files.items():
                    path = stage / rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    with open(path, "xb") as out:
                        out.write(data)
                    os.chmod(path, 0o644)
            digests = {rel: _digest(data) for rel, data in files.items()}
            both = {rel: sorted(listed.get(rel, set()) | {digests[rel]}) for rel in files}
            both.update({rel: sorted(listed[rel]) for rel in old if rel not in files})
            journal = {
                "written_by": what,
                "complete": False,
                "files": sorted(set(old) | set(files)),
                "sha256": {rel: both[rel] for rel in sorted(both)},
            }
            atomic_write_text(manifest_path, json.dumps(journal, indent=1) + "\n")
            with os_errors(folder):
                for rel in sorted(files):
                    (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                    os.replace(stage / rel, folder / rel)
                for rel in sorted(set(old) - set(files)):
                    path = folder / rel
                    if path.is_file() and not path.is_symlink():
                        path.unlink()
                    for parent in path.relative_to(folder).parents:
                        if parent.parts:
                            _remove_if_empty(folder / parent)
            done = {
                "written_by": what,
                "complete": True,
                "files": sorted(files),
                "sha256": {rel: digests[rel] for rel in sorted(files)},
            }
            atomic_write_text(manifest_path, json.dumps(done, indent=1) + "\n")
    return folder


def _adopted(folder: Path, pattern: re.Pattern[str], *, skip: tuple[str, ...]) -> list[str] | None:
    try:
        found = [
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if not p.is_dir() and p.name not in skip and not any(_OURS.match(part) for part in p.parts)
        ]
    except OSError:
        return None
    if found and all(pattern.fullmatch(rel) for rel in found):
        return found
    return None


def _remove_if_empty(path: Path) -> None:
    with suppress(OSError):  # not empty (someone's file is there) or already gone
        path.rmdir()
