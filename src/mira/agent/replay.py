"""ReplayAgent: plays actions from a list (or a file, one action a line), for tests and demos."""

from __future__ import annotations

from pathlib import Path

from mira.env.actions import ActionError, extract_action
from mira.types import Observation, Step, Task, Trajectory


class ReplayAgent:
    """Replays fixed actions; when they run out it stops with an empty answer."""

    name = "replay"

    def __init__(self, actions: list[str] | None = None, actions_file: str | Path | None = None) -> None:
        if actions_file is not None:
            lines = Path(actions_file).read_text().splitlines()
            actions = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
        self.actions = list(actions or [])
        self._i = 0

    def start(self, task: Task, obs: Observation, traj: Trajectory) -> None:
        self._i = 0

    def act(self, obs: Observation, traj: Trajectory) -> Step:
        reply = self.actions[self._i] if self._i < len(self.actions) else "stop []"
        self._i += 1
        try:
            return Step(action=str(extract_action(reply)), reply=reply, progress=list(traj.progress))
        except ActionError as e:
            return Step(action="", reply=reply, progress=list(traj.progress), error=str(e))
