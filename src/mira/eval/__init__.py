"""Evaluation: the parallel resumable harness, run summaries, failure analysis and reports.

- `harness.run_eval(EvalConfig)`: run every (task, sample) of a suite, N workers, resumable.
- `runs.load_run(DIR)`: read a run folder (results.jsonl, run.json), tolerant of damage, with notes.
- `summary.summarize(records)`: success rate, per site, Pass@k, steps, milestones, tokens, cost.
- `detectors` / `analysis`: failure modes of the paper (stuck midway, wrong termination, ...).
- `charts` / `report`: SVG charts and the self-contained report.html.
"""
