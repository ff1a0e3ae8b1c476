"""graderlib: a static-analysis-backed, hard-to-game grader for code review."""
