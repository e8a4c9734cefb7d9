"""Grading a class at once: submissions per second for a folder of generated answers files, against
one `shapetutor lesson grade` process per submission (what a loop over files in a shell would do).

    python bench/classroom.py            # 300 submissions of lesson 01; a minute or two on 2 cores
    python bench/classroom.py --n 60     # a quick look

The answers are drawn, with a fixed seed, from the engine's own answers and the usual mistakes (a
transposed shape, a formula in the wrong order, a missing transpose, text that cannot be read).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.course.answer_key import AnswerKey  # noqa: E402
from tutor.course.classroom import grade_folder, workers_for  # noqa: E402
from tutor.course.lesson import read  # noqa: E402

LESSON = "01-motivating-question"
WRONG_FORMULAS = ["(yhat - y) @ W2.T * h * (1 - h) @ x", "((yhat - y) @ W2.T * h * (1 - h)).T @ x",
                  "x.T @ ((yhat - y) @ W2.T)", "x.T @ ((yhat - y) @ W2.T * h * (1 - h)", "2 * x.T @ (yhat - y)"]


def submissions(n: int, folder: Path, seed: int = 0) -> None:
    lesson = read(LESSON)
    key = AnswerKey(lesson)
    rng = random.Random(seed)
    for i in range(n):
        answers: dict[str, list[str]] = {}
        for step in lesson.steps:
            if not step.is_question:
                continue
            right = key.answer(step)
            wrong = " x ".join(reversed(right.split(" x "))) if step.kind == "ask-shape" else rng.choice(WRONG_FORMULAS)
            answers[step.id] = rng.choice([[right], [wrong], [wrong, right], ["h", right], []])
        (folder / f"student-{i:03d}.toml").write_text(
            "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in answers.items() if v))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300, help="submissions to generate")
    parser.add_argument("--processes", type=int, default=8, help="separate processes to time, for the comparison")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        submissions(args.n, folder)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "tutor", "lesson", "grade", LESSON, "--answers", str(folder),
                               "--report", str(Path(tmp) / "report.html"), "--json"], env=env, capture_output=True)
        at_once = time.perf_counter() - start
        assert done.returncode == 0, done.stderr
        files = sorted(folder.iterdir())[:args.processes]
        start = time.perf_counter()
        for path in files:
            subprocess.run([sys.executable, "-m", "tutor", "lesson", "grade", LESSON, "--answers", str(path), "--json"],
                           env=env, capture_output=True, check=True)
        each = (time.perf_counter() - start) / len(files)
        start = time.perf_counter()
        grade_folder(read(LESSON), str(folder), workers=1)
        in_process = time.perf_counter() - start
        start = time.perf_counter()
        grade_folder(read(LESSON), str(folder))
        forked = time.perf_counter() - start
        workers = workers_for(args.n)
    print(f"{args.n} submissions of {LESSON}")
    print(f"  one command, with the report:      {at_once:6.2f} s   {args.n / at_once:7.1f} submissions/s")
    print(f"  grading alone, one worker:         {in_process:6.2f} s   {args.n / in_process:7.1f} submissions/s")
    print(f"  grading alone, {workers} forked workers:   {forked:6.2f} s   {args.n / forked:7.1f} submissions/s")
    print(f"  one process per submission:        {each * args.n:6.2f} s   {1 / each:7.1f} submissions/s "
          f"(timed on {len(files)}, {each:.2f} s each)")
    print(f"  one command is {each * args.n / at_once:.1f}x faster")


if __name__ == "__main__":
    main()
