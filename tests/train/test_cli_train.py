from pathlib import Path

import pytest

from mira.cli import main


def test_train_cli_reports_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--config", "no-such-preset"]) == 2
    assert "presets:" in capsys.readouterr().err
    assert main(["train", "--config", "tiny-arena", "lrr=1"]) == 2
    assert "valid keys: model, algo" in capsys.readouterr().err
    assert main(["train", "--config", "tiny-arena", "phases=x"]) == 2
    assert "'phases' expects int" in capsys.readouterr().err
    assert main(["train", "--config", "tiny-arena", "--algo", "ppo"]) == 2
    assert "unknown algorithm 'ppo'" in capsys.readouterr().err
    assert main(["train", "--config", "tiny-arena", f"model=hf:{tmp_path}"]) == 2
    assert "config.json" in capsys.readouterr().err
