"""Web events: Segment calls that Kinesis Firehose lands in object storage (pure logic)."""
