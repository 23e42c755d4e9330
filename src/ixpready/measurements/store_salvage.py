"""Reading every readable row of a damaged SQLite store, page by page (`store.salvage` writes
them into a new store).

SQLite stops a table scan at the first page it cannot read, so a scan loses every row after
one damaged page. Here the file is read the way SQLite lays it out (https://sqlite.org/fileformat2.html):
the committed frames of the write-ahead log over the main file, the schema from page 1, then
each table's b-tree from its root, page by page. A page that cannot be read loses its own
rows only; the leaf pages no intact tree reaches (their parent page was damaged, or the file
was cut short) are read too and their rows given to the one table whose columns they fit.
Free pages (deleted rows) are never read. SQLite's own scans, forwards and backwards, are
added to what the pages gave (each row is stored once, by its key), so salvage never brings
back less than SQLite can still read.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ixpready.measurements.store_schema import TABLES

_MAGIC = b"SQLite format 3\x00"
_WAL_MAGIC = (0x377F0682, 0x377F0683)
_TABLE_LEAF, _TABLE_INTERIOR, _INDEX_LEAF, _INDEX_INTERIOR = 0x0D, 0x05, 0x0A, 0x02
_MAX_DEPTH = 20


@dataclass(frozen=True, slots=True)
class Salvaged:
    """Rows read back from a damaged store, per table, and the tables that could not be read."""

    rows: tuple[tuple[str, int], ...]
    unreadable: tuple[str, ...]

    def as_text(self) -> str:
        """Returns the counts for the terminal."""
        lines = [f"{table}: {count} rows salvaged" for table, count in self.rows]
        lines += [f"{table}: unreadable" for table in self.unreadable]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table as the record on disk holds it."""

    name: str
    kind: str  # "int", "text", "real"
    nullable: bool
    rowid: bool  # an INTEGER PRIMARY KEY: NULL in the record, the cell's rowid instead


@dataclass(frozen=True, slots=True)
class Layout:
    """How a table's rows are stored: its columns in record order, and its b-tree kind."""

    table: str
    columns: tuple[Column, ...]  # in the order of the record on disk
    without_rowid: bool

    def row(self, record: list[object], rowid: int | None) -> tuple[object, ...] | None:
        """Returns the row a record holds, or None when it does not fit this table."""
        if len(record) > len(self.columns) or not record:
            return None
        values = [*record, *([None] * (len(self.columns) - len(record)))]
        for index, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            if column.rowid:
                if value is not None or rowid is None:
                    return None
                values[index] = rowid
            elif not _fits(column, value):
                return None
        return tuple(values)


def _fits(column: Column, value: object) -> bool:
    if value is None:
        return column.nullable
    if column.kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if column.kind == "real":
        return isinstance(value, int | float)
    return isinstance(value, str)


def layouts(target: sqlite3.Connection) -> dict[str, Layout]:
    """Returns the layout of every store table, read from a store at the current schema."""
    found: dict[str, Layout] = {}
    for table, key in TABLES.items():
        info = target.execute(f"PRAGMA table_info({table})").fetchall()
        sql = target.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()[0]
        without_rowid = "WITHOUT ROWID" in sql.upper()
        columns = []
        for _, name, declared, notnull, _, primary in info:
            kind = {"INTEGER": "int", "TEXT": "text", "REAL": "real"}.get(declared.upper(), "text")
            alias = not without_rowid and primary == 1 and declared.upper() == "INTEGER" and (
                len(key) == 1
            )
            columns.append(Column(name, kind, nullable=not notnull and not primary, rowid=alias))
        if without_rowid:  # the key's columns first, then the others in table order
            columns.sort(key=lambda c: key.index(c.name) if c.name in key else len(key))
        found[table] = Layout(table, tuple(columns), without_rowid)
    return found


@dataclass
class _File:
    """The pages of a store file (the write-ahead log's committed frames laid over them)."""

    data: bytes
    page_size: int
    usable: int
    text_encoding: str
    overlay: dict[int, bytes] = field(default_factory=dict)
    pages: int = 0

    def page(self, number: int) -> bytes | None:
        if number in self.overlay:
            return self.overlay[number]
        start = (number - 1) * self.page_size
        if number < 1 or start + self.page_size > len(self.data):
            return None
        return self.data[start : start + self.page_size]


def _open_file(path: Path) -> _File:
    data = path.read_bytes()
    page_size = 4096
    reserved = 0
    encoding = "utf-8"
    if data[:16] == _MAGIC:
        size = struct.unpack(">H", data[16:18])[0]
        page_size = 65536 if size == 1 else size
        reserved = data[20]
        encoding = {2: "utf-16-le", 3: "utf-16-be"}.get(struct.unpack(">I", data[56:60])[0],
                                                       "utf-8")  # fmt: skip
    if page_size < 512 or page_size & (page_size - 1):
        page_size, reserved = 4096, 0
    file = _File(data, page_size, page_size - reserved, encoding)
    wal = path.with_name(path.name + "-wal")
    if wal.is_file():
        file.overlay = _committed_frames(wal.read_bytes(), page_size)
    file.pages = max(len(data) // page_size, max(file.overlay, default=0))
    return file


def _committed_frames(wal: bytes, page_size: int) -> dict[int, bytes]:
    """Returns the newest committed version of each page in a write-ahead log."""
    if len(wal) < 32 or struct.unpack(">I", wal[:4])[0] not in _WAL_MAGIC:
        return {}
    if struct.unpack(">I", wal[8:12])[0] != page_size:
        return {}
    salts = wal[16:24]
    committed: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    offset = 32
    while offset + 24 + page_size <= len(wal):
        header = wal[offset : offset + 24]
        if header[8:16] != salts:
            break  # frames of an older generation of the log
        number, size_after = struct.unpack(">II", header[:8])
        pending[number] = wal[offset + 24 : offset + 24 + page_size]
        if size_after:  # a commit frame: everything up to here is committed
            committed.update(pending)
            pending = {}
        offset += 24 + page_size
    return committed


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for index in range(8):
        byte = data[at + index]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + index + 1
    return (value << 8) | data[at + 8], at + 9


def _signed(raw: bytes) -> int:
    return int.from_bytes(raw, "big", signed=True)


def _record(payload: bytes, encoding: str) -> list[object]:
    """Returns the values of one record; raises ValueError (or IndexError) when damaged."""
    header_size, at = _varint(payload, 0)
    if header_size > len(payload) or header_size < 1:
        raise ValueError("record header out of bounds")
    types = []
    while at < header_size:
        kind, at = _varint(payload, at)
        types.append(kind)
    values: list[object] = []
    body = header_size
    widths = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8}
    for kind in types:
        if kind == 0:
            values.append(None)
        elif kind in (8, 9):
            values.append(kind - 8)
        elif kind in widths:
            raw = payload[body : body + widths[kind]]
            if len(raw) != widths[kind]:
                raise ValueError("record body cut short")
            values.append(struct.unpack(">d", raw)[0] if kind == 7 else _signed(raw))
            body += widths[kind]
        elif kind >= 12:
            length = (kind - 12) // 2 if kind % 2 == 0 else (kind - 13) // 2
            raw = payload[body : body + length]
            if len(raw) != length:
                raise ValueError("record body cut short")
            values.append(raw if kind % 2 == 0 else raw.decode(encoding))
            body += length
        else:
            raise ValueError("reserved serial type")
    return values


@dataclass
class _Reader:
    """Reads cells out of pages; remembers which pages it has read (and which overflow)."""

    file: _File
    seen: set[int] = field(default_factory=set)

    def payload(self, page: bytes, at: int, size: int, index: bool) -> bytes:
        usable = self.file.usable
        most = usable - 35 if not index else (usable - 12) * 64 // 255 - 23
        least = (usable - 12) * 32 // 255 - 23
        if size <= most:
            local = size
        else:
            spill = least + (size - least) % (usable - 4)
            local = spill if spill <= most else least
        data = page[at : at + local]
        if len(data) != local:
            raise ValueError("cell out of bounds")
        if local == size:
            return data
        pieces = [data]
        got = local
        (next_page,) = struct.unpack(">I", page[at + local : at + local + 4])
        hops = 0
        while got < size:
            overflow = self.file.page(next_page)
            hops += 1
            if overflow is None or hops > self.file.pages:
                raise ValueError("overflow chain broken")
            self.seen.add(next_page)
            take = min(size - got, usable - 4)
            pieces.append(overflow[4 : 4 + take])
            got += take
            (next_page,) = struct.unpack(">I", overflow[:4])
        return b"".join(pieces)

    def cells(self, number: int) -> tuple[int, list[int], list[tuple[int | None, bytes]]]:
        """Returns a page's type, its children (interior pages) and its cells' (rowid,
        payload) (leaf pages and index interior pages); raises ValueError when damaged."""
        page = self.file.page(number)
        if page is None:
            raise ValueError("page missing")
        base = 100 if number == 1 else 0
        kind = page[base]
        if kind not in (_TABLE_LEAF, _TABLE_INTERIOR, _INDEX_LEAF, _INDEX_INTERIOR):
            raise ValueError("not a b-tree page")
        interior = kind in (_TABLE_INTERIOR, _INDEX_INTERIOR)
        count = struct.unpack(">H", page[base + 3 : base + 5])[0]
        pointers = base + (12 if interior else 8)
        if pointers + 2 * count > len(page):
            raise ValueError("cell count out of bounds")
        children: list[int] = []
        if interior:
            children.append(struct.unpack(">I", page[base + 8 : base + 12])[0])
        cells: list[tuple[int | None, bytes]] = []
        for index in range(count):  # a cell that cannot be read loses its own row only
            (at,) = struct.unpack(">H", page[pointers + 2 * index : pointers + 2 * index + 2])
            if not pointers + 2 * count <= at < self.file.usable:
                continue
            try:
                if interior:
                    children.append(struct.unpack(">I", page[at : at + 4])[0])
                    at += 4
                if kind == _TABLE_INTERIOR:
                    continue
                size, at = _varint(page, at)
                rowid = None
                if kind == _TABLE_LEAF:
                    rowid, at = _varint(page, at)
                    rowid = rowid - (1 << 64) if rowid >= 1 << 63 else rowid
                cells.append((rowid, self.payload(page, at, size, index=kind != _TABLE_LEAF)))
            except (ValueError, IndexError, struct.error):
                continue
        children = [child for child in children if 1 <= child <= self.file.pages]
        return kind, children, cells

    def tree(self, root: int) -> Iterator[tuple[int | None, bytes]]:
        """Yields the (rowid, payload) of every cell readable in the b-tree at `root`; a page
        that cannot be read is skipped with what hangs under it."""
        stack = [(root, 0)]
        while stack:
            number, depth = stack.pop()
            if number in self.seen or depth > _MAX_DEPTH:
                continue
            try:
                _, children, cells = self.cells(number)
            except (ValueError, IndexError, struct.error):
                continue
            self.seen.add(number)
            yield from cells
            stack.extend((child, depth + 1) for child in reversed(children))

    def free_pages(self, header: bytes) -> set[int]:
        """Returns the pages on the freelist (deleted rows live on there: never read)."""
        free: set[int] = set()
        if header[:16] != _MAGIC:
            return free
        trunk = struct.unpack(">I", header[32:36])[0]
        while trunk and trunk not in free and len(free) <= self.file.pages:
            page = self.file.page(trunk)
            if page is None:
                break
            free.add(trunk)
            count = min(struct.unpack(">I", page[4:8])[0], (self.file.usable - 8) // 4)
            free.update(struct.unpack(f">{count}I", page[8 : 8 + 4 * count]))
            trunk = struct.unpack(">I", page[:4])[0]
        return free


def read_pages(
    path: Path, tables: dict[str, Layout]
) -> tuple[dict[str, list[tuple[object, ...]]], set[str]]:
    """Returns the rows of every table that its readable pages hold, page by page, and the
    tables the file's schema names."""
    file = _open_file(path)
    reader = _Reader(file)
    rows: dict[str, list[tuple[object, ...]]] = {name: [] for name in tables}
    roots: dict[str, int] = {}
    indexes: list[int] = []
    for _, payload in reader.tree(1):  # the schema: type, name, tbl_name, rootpage, sql
        try:
            entry = _record(payload, file.text_encoding)
        except (ValueError, IndexError, UnicodeDecodeError):
            continue
        if len(entry) == 5 and entry[0] == "table" and isinstance(entry[3], int):
            roots[str(entry[1])] = entry[3]
        elif len(entry) == 5 and entry[0] == "index" and isinstance(entry[3], int):
            indexes.append(entry[3])
    for name, layout in tables.items():
        if name in roots:
            rows[name] += _rows(reader, reader.tree(roots[name]), [layout])
    for root in indexes:  # walked only to know their pages: an index holds no row of its own
        for _ in reader.tree(root):
            pass
    header = file.page(1) or b""
    unreached = set(range(2, file.pages + 1)) - reader.seen - reader.free_pages(header)
    for number in sorted(unreached):  # leaves cut off from their tree: given by their fit
        if number in reader.seen:
            continue  # an overflow page read meanwhile
        try:
            kind, _, cells = reader.cells(number)
        except (ValueError, IndexError, struct.error):
            continue
        if kind == _TABLE_INTERIOR:
            continue
        reader.seen.add(number)
        candidates = [t for t in tables.values() if t.without_rowid == (kind != _TABLE_LEAF)]
        for table, row in _fitting(reader, cells, candidates):
            rows[table].append(row)
    return rows, set(roots)


def _rows(
    reader: _Reader, cells: Iterator[tuple[int | None, bytes]], layouts: list[Layout]
) -> Iterator[tuple[object, ...]]:
    for _, row in _fitting(reader, cells, layouts):
        yield row



def _fitting(
    reader: _Reader, cells: Iterator[tuple[int | None, bytes]] | list[tuple[int | None, bytes]],
    candidates: list[Layout],
) -> Iterator[tuple[str, tuple[object, ...]]]:  # fmt: skip
    """Yields (table, row) for each cell whose record fits exactly one candidate table."""
    for rowid, payload in cells:
        try:
            record = _record(payload, reader.file.text_encoding)
        except (ValueError, IndexError, UnicodeDecodeError):
            continue
        fits = [(layout.table, row) for layout in candidates
                if (row := layout.row(record, rowid)) is not None]  # fmt: skip
        if len(fits) == 1:
            yield fits[0]


def copy_readable(damaged: Path, source: sqlite3.Connection, target: sqlite3.Connection) -> Salvaged:
    """Copies every readable row of every table of the damaged store at `damaged` (also open
    read-only as `source`) into `target` (a store at the current schema, in a transaction the
    caller holds); returns the counts."""
    tables = layouts(target)
    by_pages, named = read_pages(damaged, tables)
    known = named | _readable(source)
    counts: list[tuple[str, int]] = []
    unreadable: list[str] = []
    for table, key in TABLES.items():
        names = [c.name for c in tables[table].columns]
        forward = _scan(source, table, key, names, descending=False)
        backward = _scan(source, table, key, names, descending=True)
        found = [*by_pages[table], *forward, *backward]
        if not found and table not in known:
            unreadable.append(table)
            continue
        marks = ", ".join("?" for _ in names)
        before = target.total_changes
        target.executemany(
            f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) VALUES ({marks})", found
        )
        counts.append((table, target.total_changes - before))
    return Salvaged(tuple(counts), tuple(unreadable))


def _readable(source: sqlite3.Connection) -> set[str]:
    try:
        return {str(r[0]) for r in source.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        return set()


def _scan(
    db: sqlite3.Connection, table: str, key: tuple[str, ...], names: list[str], descending: bool
) -> list[tuple[object, ...]]:
    """Returns the rows SQLite reads in key order up to the first damaged page."""
    order = ", ".join(f"{k} DESC" if descending else k for k in key)
    rows: list[tuple[object, ...]] = []
    try:
        existing = {str(r[1]) for r in db.execute(f"PRAGMA table_info({table})")}
        picked = ", ".join(n if n in existing else "NULL" for n in names)
        for row in db.execute(f"SELECT {picked} FROM {table} ORDER BY {order}"):
            rows.append(tuple(row))
    except sqlite3.DatabaseError:
        pass  # stop at the damage; the other direction and the pages give the rest
    return rows
