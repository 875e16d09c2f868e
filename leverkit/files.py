"""Safe file handling beside people working: whole-or-nothing writes, open-file checks."""
from __future__ import annotations

import errno
import json
import os
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from .issues import one_line

TEMP_PREFIX = ".leverkit-tmp-"
STALE_AFTER = 3600  # seconds: no write of leverkit's takes this long, so an older temp file was abandoned
_swept: set[Path] = set()


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Remove leverkit's own temporary files that a killed run left in `folder` (only its own, by
    prefix, and only once they are over an hour old); returns what was removed."""
    removed = []
    cutoff = time.time() - STALE_AFTER
    with suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(TEMP_PREFIX) and entry.is_file(follow_symlinks=False):
                with suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temporary(target: Path) -> Path:
    """A new empty temporary file beside `target`, readable as a new file there would be."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.parent not in _swept:
        _swept.add(target.parent)
        remove_stale_temp_files(target.parent)
    try:
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent)
    except OSError as exc:  # name the file people asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # as a new file would be (mkstemp makes it private); the body may change it
    except BaseException:
        tmp.unlink()
        raise
    return tmp


def _named(exc: OSError, tmp: Path, target: Path) -> OSError:
    """The error naming the file people asked for rather than its temporary file (or nothing, on a full disk)."""
    if exc.filename not in (None, str(tmp), tmp):
        return exc
    if exc.strerror is None:  # raised with a bare message, which is all there is to say
        return OSError(exc.errno, str(exc), str(target))
    return OSError(exc.errno, exc.strerror, str(target))


@contextmanager
def atomic_path(target: str | Path):
    """Yield a temporary path beside `target`; on success it replaces `target` in one step.

    Readers see the old file or the new one, never a half-written file; on
    any error the temporary file is removed and `target` is untouched.
    """
    target = Path(target)
    tmp = _temporary(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as exc:
        with suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, OSError):
            named = _named(exc, tmp, target)
            if named is not exc:
                raise named from exc
        raise


def write_all(contents: dict[Path, bytes]) -> list[Path]:
    """Write several files together, whole or not at all: each is first written to a temporary file beside it,
    and only once all of them are written, and no target is a folder, are they moved into place."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in contents.items():
            tmp = _temporary(Path(target))
            staged.append((tmp, Path(target)))
            try:
                tmp.write_bytes(data)
            except OSError as exc:
                raise _named(exc, tmp, Path(target)) from exc
        for tmp, target in staged:
            if target.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
        while staged:
            tmp, target = staged[0]
            os.replace(tmp, target)
            staged.pop(0)
    finally:
        for tmp, _ in staged:
            with suppress(FileNotFoundError):
                tmp.unlink()
    return list(contents)


def _owner_from_excel(data: bytes) -> str:
    """Excel's owner file starts with the user name: a length byte then the name."""
    size = data[0] if data else 0
    name = data[1 : 1 + size].decode("latin-1", "replace").strip()
    if not name and len(data) > 56:
        name = data[56 : 56 + 2 * data[54]].decode("utf-16-le", "replace").strip()
    return name


def open_by(path: str | Path) -> str | None:
    """Who has the workbook open, from Excel's `~$` or LibreOffice's lock file.

    None when nobody does; "" when someone does but the lock file names nobody.
    """
    path = Path(path)
    candidates = [
        (path.with_name("~$" + path.name), _owner_from_excel),
        (path.with_name("~$" + path.name[2:]), _owner_from_excel),
        (path.with_name(f".~lock.{path.name}#"), lambda d: d.decode("utf-8", "replace").split(",")[0].strip()),
    ]
    for lock, owner in candidates:
        try:
            data = lock.read_bytes()
        except OSError:
            continue
        return owner(data)
    return None


def written_error(exc: OSError) -> str:
    """An error while writing, as the one sentence a person needs: which file, and why."""
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}could not be written ({exc.strerror or one_line(str(exc), 160)})"


def load_record(path: Path) -> dict | None:
    """A JSON record leverkit wrote earlier, or None if it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, content: dict) -> None:
    """A JSON record, whole or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(content), encoding="utf-8")
