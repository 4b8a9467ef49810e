"""The Spark yardstick for `bench/cld.py`: a plain CSV → Parquet conversion of an extract.

Run as its own process, like `dspt cld process --engine spark`, so both pay for starting a JVM.
It uses the pipeline's own Spark session (`engines.spark.session`: same master, memory and
Parquet codec) and does nothing but read every column as text and write it out.

    python bench/spark_convert.py EXTRACT.csv TARGET_DIR
"""

from __future__ import annotations

import os
import sys


def main(source: str, target: str) -> None:
    """Convert `source` (CSV with a header row) to Parquet files under `target`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dspt.settings")
    from dspt.cld.engines import spark

    session = spark.session()
    session.read.csv(source, header=True).write.mode("overwrite").parquet(target)
    spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:3])
