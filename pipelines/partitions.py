"""One dynamic partition per experiment; keys are experiment ids (exp_ + 16 base32 characters)."""

import dagster as dg

experiments_partitions = dg.DynamicPartitionsDefinition(name="experiments")
