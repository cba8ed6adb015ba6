"""Run every benchmark, one after another, each printing its figures and its ratio against its baseline.

    make bench        (or: python benchmarks/run_all.py [name ...])
"""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["processing_overhead", "time_to_playable", "upload_throughput", "wiki_save", "wiki_page_view",
              "record_to_share", "recording_streams", "recording_fps", "transcription", "screens", "search"]


def main(names: list[str]) -> int:
    failed = []
    for name in names or BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, str(HERE / f"{name}.py")], cwd=HERE.parent).returncode != 0:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
