"""A Spark Connect server on 127.0.0.1 (``python -m … PORT``) for tests of the sc:// path.

Spark starts it inside a local JVM; clients must send SPARK_CONNECT_AUTHENTICATE_TOKEN, which the
test sets for both sides.
"""

import sys
import time

from pyspark.sql import SparkSession

if __name__ == "__main__":
    SparkSession.builder.remote("local[2]").config(
        "spark.connect.grpc.binding.port", sys.argv[1]
    ).getOrCreate()
    while True:
        time.sleep(3600)
