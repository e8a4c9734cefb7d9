"""Every file shapetutor reads, read one way: a regular file, at most a limit of bytes, UTF-8.

A network, a lesson, a lesson's `[network] path`, an answers file, a derivation file, the
progress file and standard input all come through here. A named pipe, a device (`/dev/zero`,
`/dev/urandom`), a folder or a socket is refused before a byte is read, so nothing can make
shapetutor wait for a writer that never comes or read without end; a file over the limit is
refused by its size. A UTF-8 byte order mark is dropped, as editors write one.

Writing is the other half: `replace_file` writes a temporary file beside the target and renames
it over, so a write that fails half-way (a full disk, a file size limit) leaves the old file whole.
"""
from __future__ import annotations

import contextlib
import errno
import os
import stat

from .errors import UnreadableError

#: What a file shapetutor reads may hold: far more than any network, lesson or answers file.
MAX_FILE_BYTES = 1_000_000
#: Text limited in characters (networks, derivations: `language.MAX_SOURCE_CHARS`, counted by the parser
#: once decoded) is read up to four bytes a character, the most UTF-8 spends on one.
MAX_TEXT_BYTES = 4_000_000
BOM = "\ufeff"


def kind_of(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes(path: str, what: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or an `UnreadableError` saying why not.

    The file is opened without blocking (a named pipe's open() waits for a writer otherwise) and
    checked with fstat on the open descriptor, so what is read is what was checked."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UnreadableError(f"cannot read {what} {path}: {reason(exc)}", origin=path) from None
    try:
        info = os.fstat(fd)
        kind = kind_of(info.st_mode)
        if kind is not None:
            raise UnreadableError(f"cannot read {what} {path}: it is {kind}, not a regular file", origin=path,
                                  expected="a regular file")
        if info.st_size > limit:
            raise too_large(path, what, info.st_size, limit)
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:  # a file that grows while it is read still stops at the limit
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise too_large(path, what, size, limit)
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableError(f"cannot read {what} {path}: {reason(exc)}", origin=path) from None
    finally:
        os.close(fd)


def too_large(path: str, what: str, size: int, limit: int) -> UnreadableError:
    return UnreadableError(f"{what} {path} is {'more than ' if size > limit else ''}{size:,} bytes; "
                           f"the limit is {limit:,}", origin=path, expected=f"a file of at most {limit:,} bytes")


def decode(data: bytes, origin: str) -> str:
    """UTF-8 text without its byte order mark; undecodable bytes are an `UnreadableError` at their offset."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableError(f"{origin} is not UTF-8 text (byte {exc.start})", origin=origin,
                              expected="UTF-8 text") from None
    return text[1:] if text.startswith(BOM) else text


def read_text(path: str, what: str, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's UTF-8 text (see `read_bytes`), its byte order mark dropped."""
    return decode(read_bytes(path, what, limit), path)


def read_stream(stream, origin: str, limit: int = MAX_FILE_BYTES) -> str:
    """A binary stream (standard input) read up to `limit` bytes, as UTF-8 text without a byte order mark."""
    if stream is None:
        raise UnreadableError(f"cannot read {origin}: it is closed", origin=origin)
    try:
        data = stream.read(limit + 1)
    except OSError as exc:
        raise UnreadableError(f"cannot read {origin}: {reason(exc)}", origin=origin) from None
    if data is None:  # a non-blocking stream with nothing in it
        data = b""
    if len(data) > limit:
        raise too_large(origin, "the input", len(data), limit)
    return decode(data, origin)


def reason(exc: OSError) -> str:
    if exc.errno == errno.EBADF:
        return "it is closed"
    return exc.strerror or str(exc)


def replace_file(path: str, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` through a temporary file in the same folder, renamed over it at the end:
    readers see the old file or the new one, never half of one, and a failed write leaves no trace.
    `mode` defaults to the mode of the file replaced, or what the umask allows for a new one."""
    folder = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path)
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            mode = 0o666 & ~current_umask()
    # the name cut short: a name the file system allows (up to 255 bytes) must not fail on its temporary one
    short = name.encode("utf-8", "surrogateescape")[:100].decode("utf-8", "ignore")
    import tempfile  # only a command that writes a file needs it
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{short}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
