"""`make bench`: pipeline/policy ablation, latency, throughput, start-up, memory, accuracy."""
