"""Writes the Parquet fuzz target's seed (seeds/parquet_file/rows.parquet):
a small file with the default columns and the adapter's value types, from
which libFuzzer's mutations start. `make fuzz` runs it."""

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SAMPLES: dict[str, tuple[pa.DataType, object]] = {
    "bool": (pa.bool_(), True),
    "int": (pa.int64(), 42),
    "float": (pa.float64(), -1.5),
    "str": (pa.string(), "abc"),
    "datetime": (pa.timestamp("ns"), datetime(2020, 1, 1, 0, 0, 1)),
    "timedelta": (pa.duration("ns"), timedelta(seconds=1.5)),
}
# (column, type, optional) of the value.
VALUE = [
    ("symbol", "str", False),
    ("price", "float", False),
    ("size", "int", False),
    ("venue", "str", True),
]


def main() -> None:
    times = [datetime(2020, 1, 1), datetime(2020, 1, 1, 0, 0, 0, 1)]
    columns = {"time": pa.array(times, pa.timestamp("ns")), "symbol": pa.array(["A", "B"])}
    for name, kind, optional in VALUE:
        typ, sample = SAMPLES[kind]
        columns[name] = pa.array([sample, None if optional else sample], typ)
    path = Path(__file__).parent / "seeds" / "parquet_file" / "rows.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)


if __name__ == "__main__":
    main()
