"""Corpus-scale evaluation: agents against tasks, models against the environment, and the
records trainers learn from (scorecards, inference runs, trajectories)."""
