"""The thin Ray shell around the pure stages: tasks, the pipeline, the runner. Only here imports ray."""
