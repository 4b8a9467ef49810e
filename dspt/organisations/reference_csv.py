"""Read one reference CSV file strictly: the file format, not what its values mean.

The reference geography (see `reference_files`) is kept as hand-edited CSV files, so the reader
refuses anything doubtful rather than guessing: a missing file, text that is not UTF-8, a header
without the columns asked for or with a column twice, a record with the wrong number of fields,
or broken quoting. Each problem is a `ReferenceDataError` naming the file and line. Records come
back as `Row`s, whose accessors turn a field into checked text, a code of a given shape or a
number; which shapes and ranges the geography needs is `reference_files`' business.

Pure standard library: no Django set-up needed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path


class ReferenceDataError(ValueError):
    """A reference file is missing, malformed or inconsistent with the others.

    `file` is the file's name, `line` the 1-based line in it (None when the problem is the file as
    a whole) and `problem` the explanation; `str()` combines them for the operator.
    """

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file} line {line}" if line is not None else file
        super().__init__(f"{where}: {problem}")


class Row:
    """One CSV record with its line number, giving checked access to its fields."""

    def __init__(self, file: str, line: int, values: dict[str, str]) -> None:
        self.file = file
        self.line = line
        self.values = values

    def error(self, problem: str) -> ReferenceDataError:
        """An error about this record, to raise."""
        return ReferenceDataError(self.file, self.line, problem)

    def text(self, column: str, *, required: bool = True) -> str:
        """The field as text (already stripped); blank only if not `required`."""
        value = self.values[column]
        if required and not value:
            raise self.error(f"{column} is blank")
        return value

    def code(self, column: str, pattern: re.Pattern[str], shape: str) -> str:
        """The field, which must match `pattern`; `shape` describes it in the message."""
        value = self.text(column)
        if not pattern.match(value):
            raise self.error(f"{column} {value!r} is not {shape}")
        return value

    def number(self, column: str, low: float, high: float) -> float:
        """The field as a number from `low` to `high`."""
        value = self.text(column)
        try:
            number = float(value)
        except ValueError:
            raise self.error(f"{column} {value!r} is not a number") from None
        if not low <= number <= high:
            raise self.error(f"{column} {value} is outside {low}..{high}")
        return number

    def whole_number(self, column: str) -> int:
        """The field as a whole number of 0 or more."""
        value = self.text(column)
        if not value.isdigit():
            raise self.error(f"{column} {value!r} is not a whole number of 0 or more")
        return int(value)


def read_rows(directory: Path, file: str, columns: tuple[str, ...]) -> Iterator[Row]:
    """Yield the data records of `file`, after checking the header has every column needed."""
    path = directory / file
    try:
        # utf-8-sig: a file saved from Excel starts with a byte-order mark that would otherwise
        # become part of the first column's name.
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ReferenceDataError(file, None, f"file not found in {directory}") from None
    with handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise ReferenceDataError(file, 1, "file is empty; expected a header row")
            header = [name.strip() for name in header]
            missing = [column for column in columns if column not in header]
            if missing:
                raise ReferenceDataError(
                    file,
                    1,
                    f"header lacks column(s) {', '.join(missing)}; expected {', '.join(columns)}",
                )
            repeated = sorted({name for name in header if name and header.count(name) > 1})
            if repeated:
                raise ReferenceDataError(file, 1, f"header repeats column(s) {', '.join(repeated)}")
            positions = {column: header.index(column) for column in columns}
            for record in reader:
                line = reader.line_num
                if not any(field.strip() for field in record):
                    continue  # A blank line is harmless; spreadsheets often leave one at the end.
                if len(record) != len(header):
                    raise ReferenceDataError(
                        file, line, f"has {len(record)} fields; the header has {len(header)}"
                    )
                values = {column: record[index].strip() for column, index in positions.items()}
                yield Row(file, line, values)
        except csv.Error as exc:
            raise ReferenceDataError(file, reader.line_num, f"not valid CSV: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ReferenceDataError(file, None, f"not UTF-8 text: {exc}") from None
