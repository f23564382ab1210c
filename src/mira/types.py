"""The shared vocabulary of mira: tasks, observations, steps, trajectories and the Protocols.

Imports nothing from mira, so every layer (env, llm, agent, rollout, eval, train) can depend on it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, runtime_checkable

Message = dict[str, str]
"""An OpenAI-style chat message: {"role": "system"|"user"|"assistant", "content": "..."}."""

Progress = tuple[bool, ...]
"""The progress vector z: one flag per milestone; a milestone once reached stays reached."""


@dataclass(frozen=True)
class Milestone:
    """One ordered subgoal of a task."""

    description: str
    """What a planner would write, e.g. "Open the product page of the Blue Yoga Mat"."""
    check: dict[str, Any] | None = None
    """A programmatic check on the environment's state (ground truth), or None for planner-written ones."""


@dataclass(frozen=True)
class Task:
    """One task of a suite, independent of any running environment."""

    id: str
    """`SUITE/TASK_ID`, e.g. `miniwob/click-test` or `arena/shop-17`."""
    goal: str
    """The instruction the agent reads (WebArena's `intent`)."""
    site: str = ""
    """The site group it is reported under (e.g. `shop`, `reddit`, `multi`)."""
    start_url: str = ""
    milestones: tuple[Milestone, ...] = ()
    """Ground-truth milestones where the suite has them; empty otherwise."""
    config: dict[str, Any] = field(default_factory=dict, compare=False)
    """The raw task config (WebArena JSON for arena / webarena-lite), for evaluators."""
    action_grammar: str = "web"
    """`web`: WebArena's grammar over element ids (mira.env.actions); `text`: the suite's own free-form
    commands (ScienceWorld), one a line."""


@dataclass(frozen=True)
class Observation:
    """What an agent sees after a reset or a step."""

    text: str
    """What an LLM reads: the accessibility tree (web) or the room description (text envs)."""
    url: str = ""
    goal: str = ""
    error: str = ""
    """The last action's error, empty if it succeeded."""
    tabs: tuple[str, ...] = ()
    """Open tabs' titles (web), the active one first marked by the env in `text` when relevant."""
    screenshot: bytes | None = field(default=None, repr=False, compare=False)
    """PNG bytes, only when the env was asked for screenshots."""


class StepResult(NamedTuple):
    """The result of `Env.step`, unpacking like Gymnasium's 5-tuple."""

    obs: Observation
    reward: float
    terminated: bool
    truncated: bool
    info: dict[str, Any]


@runtime_checkable
class Env(Protocol):
    """One episode at a time of one task; a context manager that frees its browser or process."""

    task: Task

    def reset(self, seed: int | None = None) -> Observation: ...

    def step(self, action: str) -> StepResult: ...

    def close(self) -> None: ...

    def __enter__(self) -> Env: ...

    def __exit__(self, *exc: object) -> None: ...


@dataclass(frozen=True)
class Completion:
    """One LLM reply, with what the trainer and the cost report need."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    latency_s: float = 0.0
    token_ids: tuple[int, ...] | None = None
    logprobs: tuple[float, ...] | None = None


@runtime_checkable
class LLM(Protocol):
    """Any chat model behind one call."""

    name: str

    def complete(self, messages: list[Message], **sampling: Any) -> Completion: ...


@dataclass
class Step:
    """One action of an episode, with everything needed to read, replay and train on it."""

    action: str
    """The parsed action in canonical grammar form, e.g. `click [12]` (empty if the reply failed to parse)."""
    reply: str = ""
    """The raw LLM reply (or the replayed line)."""
    progress: list[bool] = field(default_factory=list)
    """z after the check that preceded this action."""
    url: str = ""
    observation: str = ""
    """The observation text the action was chosen on."""
    error: str = ""
    """The error the action produced, if any."""
    reward: float = 0.0
    messages: list[Message] = field(default_factory=list)
    """The exact messages sent to the actor."""
    plan: list[str] = field(default_factory=list)
    """The milestone texts in force at this step."""
    reflection: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    """Timings, token usage, checker notes, screenshot path, ..."""


@dataclass
class Trajectory:
    """A whole episode, saved as JSON as it happens."""

    task_id: str
    goal: str = ""
    site: str = ""
    milestones: list[str] = field(default_factory=list)
    """The plan's milestone texts, last in force."""
    steps: list[Step] = field(default_factory=list)
    success: bool = False
    reward: float = 0.0
    exit_reason: str = ""
    """`stop` | `max_steps` | `parse_error` | `env_done` | `error:<Type>`."""
    answer: str = ""
    progress: list[bool] = field(default_factory=list)
    """z at the end of the episode (after the last action)."""
    info: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Trajectory:
        names = {f.name for f in dataclasses.fields(cls)}
        step_names = {f.name for f in dataclasses.fields(Step)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs["steps"] = [Step(**{k: v for k, v in s.items() if k in step_names}) for s in data.get("steps", [])]
        return cls(**kwargs)

    @property
    def milestones_reached(self) -> int:
        """How many milestones the final progress vector marks as reached."""
        return sum(self.progress)


@runtime_checkable
class Agent(Protocol):
    """Chooses actions. `start` is called once per episode (a planner writes milestones there)."""

    name: str

    def start(self, task: Task, obs: Observation, traj: Trajectory) -> None: ...

    def act(self, obs: Observation, traj: Trajectory) -> Step:
        """Return the next step; `Step.action` is the canonical action, or '' when the reply did not parse."""
        ...
