"""pandera, imported without its side effects on Spark.

Private. pandera (up to at least 0.35), when first imported, sets
``SPARK_LOCAL_IP=127.0.0.1`` and ``PYARROW_IGNORE_TIMEZONE=1`` in the process
environment and imports ``pyspark.pandas`` whenever PySpark is installed (so
that pyspark's pandas type-hint patches come first). For reconnect_lib that
means three things go wrong as soon as the ``spark`` extra is installed:

- ``import reconnect_lib`` pulls in PySpark (seconds, and the style rule that
  optional engines load lazily);
- PySpark 4 warns at that import that it does not support pandas 3, which the
  test suite (``filterwarnings = error``) turns into a collection error;
- a Spark driver started later in the same process binds to 127.0.0.1, so the
  executors of a real ``spark://`` cluster cannot reach it.

reconnect_lib uses only pandera's pandas schemas, never ``pyspark.pandas``. So
the import below hides PySpark from pandera for the length of the import, and
puts the two environment variables back as they were.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

from ._imports import hidden_modules

_ENV = ("SPARK_LOCAL_IP", "PYARROW_IGNORE_TIMEZONE")
_HIDDEN = ("pyspark", "pyspark.pandas")


def _import() -> tuple[ModuleType, Any]:
    saved = {name: os.environ.get(name) for name in _ENV}
    try:
        with hidden_modules(_HIDDEN):  # pandera catches the ImportError
            import pandera.pandas as pandera_pandas
            from pandera.errors import SchemaErrors as schema_errors
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return pandera_pandas, schema_errors


pa, SchemaErrors = _import()
