import json

from mira.cli import main


def test_suite_milestones_cached_and_scored(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MIRA_CACHE", str(tmp_path / "cache"))
    replies = tmp_path / "teacher.txt"
    replies.write_text("1. Find the button\n2. Click it")
    out = tmp_path / "m.json"
    argv = ["milestones", "--suite", "miniwob", "--llm", f"scripted:{replies}", "--out", str(out), "--k", "2"]
    assert main(argv) == 0
    data = json.loads(out.read_text())
    assert len(data) > 100 and data["miniwob/click-test"] == ["Find the button", "Click it"]
    assert "0 from cache" in capsys.readouterr().out
    assert main(argv) == 0
    assert f"{len(data)} from cache" in capsys.readouterr().out


def test_bad_input_is_a_clear_error(tmp_path, capsys):
    assert main(["milestones", "--suite", "miniwob"]) == 2
    assert "needs --llm" in capsys.readouterr().err
    assert main(["milestones", "--run", str(tmp_path / "nope")]) == 2
    assert "run folder not found" in capsys.readouterr().err
    assert main(["milestones", "--run", str(tmp_path)]) == 2
    assert "no trajectory JSON" in capsys.readouterr().err
