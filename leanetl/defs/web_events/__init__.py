"""Web events: Segment calls landed by Kinesis Firehose → one Parquet table per event type."""
