"""jobqueue: checksums a batch of jobs with a bounded pool of worker threads."""

JOBS = ["alpha", "bravo", "charlie", "delta", "echo"]
