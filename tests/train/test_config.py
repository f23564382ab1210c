from pathlib import Path

import pytest

from mira.train.algorithms import ALGORITHMS, resolve
from mira.train.config import TrainConfig, load_config, make_config, parse_overrides, presets


def test_presets_load() -> None:
    names = set(presets())
    assert {"tiny-arena-sft", "tiny-arena", "smollm2-arena", "gemma3-12b-webarena-lite"} <= names
    for name in names:
        cfg = load_config(name)
        assert cfg.algo in ALGORITHMS


def test_overrides_are_typed() -> None:
    cfg = load_config("tiny-arena", ["lr=1e-4", "phases=3", "use_potential=false", "tasks=a,b", "algo=webrl"])
    assert cfg.lr == 1e-4 and cfg.phases == 3 and cfg.use_potential is False and cfg.tasks == ("a", "b")
    assert cfg.algo == "webrl"


def test_unknown_key_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown config key\(s\) lrr; valid keys: model, algo"):
        make_config({"lrr": 1})


@pytest.mark.parametrize(("key", "value"), [("phases", "three"), ("lr", "fast"), ("use_potential", "maybe"),
                                              ("phases", 2.5)])
def test_wrong_type_names_the_key(key: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"config key '{key}' expects"):
        make_config({key: value})


def test_bad_override_syntax_and_missing_preset(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="key=value"):
        parse_overrides(["lr"])
    with pytest.raises(FileNotFoundError, match="presets: .*tiny-arena"):
        load_config("no-such-preset")
    f = tmp_path / "c.yaml"
    f.write_text("algo: awr\nbogus: 1\n")
    with pytest.raises(ValueError, match="bogus"):
        load_config(str(f))


def test_ablations_as_settings() -> None:
    algo, rw = resolve(TrainConfig(algo="mira"))
    assert algo.potential_critic and rw.shaping and algo.actor_loss == "regression"
    algo, rw = resolve(TrainConfig(algo="mira", use_potential=False))
    assert not algo.potential_critic and not rw.shaping  # w/o potential critic
    algo, _ = resolve(TrainConfig(algo="mira", actor_objective="kl"))
    assert algo.actor_loss == "kl"  # KL objective
    _, rw = resolve(TrainConfig(algo="mira", advantage_mode="td"))
    assert rw.advantage_mode == "td"  # w/o doubly-robust advantage
    algo, rw = resolve(TrainConfig(algo="webrl"))
    assert algo.value_critic and not algo.potential_critic and not rw.shaping
    with pytest.raises(ValueError, match="advantage_mode"):
        resolve(TrainConfig(advantage_mode="gae"))
    with pytest.raises(ValueError, match="potential 'oracle'; valid: critic, label"):
        resolve(TrainConfig(potential="oracle"))
    with pytest.raises(ValueError, match="terminal_potential 'end'; valid: zero, last"):
        resolve(TrainConfig(terminal_potential="end"))
    assert resolve(TrainConfig(algo="mira", potential="label"))[1].potential == "label"
    with pytest.raises(ValueError, match="value_target 'outcome'; valid: success, return"):
        resolve(TrainConfig(value_target="outcome"))
    assert resolve(TrainConfig(value_target="return"))[1].value_target == "return"
    for bad in (-0.5, float("nan"), 1e3):
        with pytest.raises(ValueError, match=r"shaping_scale is alpha .*: 0..100, got"):
            resolve(TrainConfig(shaping_scale=bad))
    assert resolve(TrainConfig(shaping_scale=2.0))[1].shaping_scale == 2.0
    with pytest.raises(ValueError, match="actor_samples 'good'; valid: all, positive"):
        resolve(TrainConfig(actor_samples="good"))
