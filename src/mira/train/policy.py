"""PolicyAgent: the trainable model as an Agent, so training rollouts go through `run_episode` like eval.

It samples a reply from the in-memory model and records what training needs in Step.info: the action's
token ids and their sampling log-probs; Step.messages holds the exact prompt and Step.progress the z it saw.
"""

from __future__ import annotations

from typing import Any

import torch

from mira.env.actions import ActionError, describe_actions, extract_action
from mira.train.batch import prompt_ids
from mira.train.models import module_device
from mira.train.teacher import Teacher
from mira.types import Message, Observation, Step, Task, Trajectory

SYSTEM = "You are a web agent. Reply with exactly one action.\n"


def build_messages(obs: Observation, traj: Trajectory, history: int = 3, with_actions_help: bool = False) -> list[Message]:
    """A compact prompt (small models read short prompts best): goal, the page, the last `history` actions."""
    past = [s.action or s.reply for s in traj.steps[-history:]] if history else []
    user = f"Goal: {obs.goal or traj.goal}\nURL: {obs.url}\n{obs.text}\n"
    if obs.error:
        user += f"Error: {obs.error}\n"
    user += "Previous: " + (" ; ".join(past) if past else "none")
    system = SYSTEM + (describe_actions() if with_actions_help else "")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


class PolicyAgent:
    """Samples actions from a causal LM at `temperature` (0 = greedy)."""

    name = "policy"

    def __init__(self, model: Any, tokenizer: Any, *, temperature: float = 1.0, max_new_tokens: int = 24,
                 max_prompt_tokens: int = 512, history: int = 3) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.temperature, self.max_new_tokens = temperature, max_new_tokens
        self.max_prompt_tokens, self.history = max_prompt_tokens, history

    def start(self, task: Task, obs: Observation, traj: Trajectory) -> None:
        return None

    def act(self, obs: Observation, traj: Trajectory) -> Step:
        messages = build_messages(obs, traj, self.history)
        ids, logps = self.sample(prompt_ids(self.tokenizer, messages, self.max_prompt_tokens))
        reply = self.tokenizer.decode(ids, skip_special_tokens=True).strip()
        info = {"action_ids": ids, "logprobs": [round(x, 5) for x in logps]}
        step = Step(action="", reply=reply, progress=list(traj.progress), messages=messages, info=info)
        try:
            step.action = str(extract_action(reply))
        except ActionError as e:
            step.error = str(e)
        return step

    @torch.no_grad()
    def sample(self, prompt: list[int]) -> tuple[list[int], list[float]]:
        """(new token ids ending with end-of-turn if produced, their log-probs under the sampling distribution)."""
        was_training = self.model.training
        self.model.eval()
        input_ids = torch.tensor([prompt], device=module_device(self.model))  # (1, P)
        greedy = self.temperature <= 0
        args: dict[str, Any] = {"max_new_tokens": self.max_new_tokens, "do_sample": not greedy,
                                "return_dict_in_generate": True, "output_scores": True,
                                "pad_token_id": self.tokenizer.pad_token_id, "eos_token_id": self.tokenizer.eos_token_id}
        args.update({"temperature": None, "top_p": None, "top_k": None} if greedy else
                    {"temperature": self.temperature, "top_p": 1.0, "top_k": 0})
        out = self.model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), **args)
        self.model.train(was_training)
        new = out.sequences[0, len(prompt):]  # (N,)
        scores = torch.stack(out.scores, dim=1)[0].float()  # (N, V): after temperature
        logps = torch.log_softmax(scores, dim=-1).gather(1, new[:, None])[:, 0]  # (N,)
        return new.tolist(), logps.tolist()


class PromptTeacher(Teacher):
    """Steps carry the `generate` policy's prompt; the target is the demonstrator's action text."""

    name = "prompt-teacher"

    def annotate(self, step: Step, obs: Observation, traj: Trajectory) -> None:
        step.messages, step.reply = build_messages(obs, traj, self.history), step.action
