#!/usr/bin/env python3
"""Synthesise the bundled example: 12 s of a 4/4 groove at 120 BPM (kick on
1 and 3, snare on 2 and 4, closed hi-hat on eighths, a bass note per beat, a
chord stab on each downbeat), 22050 Hz mono. Our own synthesis, no samples.
Writes examples/groove-120bpm.flac and its annotation groove-120bpm.beats.

usage: make_groove.py OUT_DIR   (needs numpy and sox)
"""
import os
import subprocess
import sys

import numpy as np

SR, BPM, BARS, FIRST = 22050, 120.0, 6, 0.25
rng = np.random.default_rng(120)
beat = 60.0 / BPM
n = int(SR * (FIRST + BARS * 4 * beat + 0.5))
y = np.zeros(n)


def add(at, sig):
    i = int(round(at * SR))
    sig = sig[: max(0, n - i)]
    y[i:i + len(sig)] += sig


def env(dur, decay):
    t = np.arange(int(dur * SR)) / SR
    return t, np.exp(-t / decay)


def kick():
    t, e = env(0.35, 0.08)
    f = 50 + 90 * np.exp(-t / 0.03)
    return 0.9 * np.sin(2 * np.pi * np.cumsum(f) / SR) * e


def snare():
    t, e = env(0.2, 0.05)
    return 0.35 * rng.standard_normal(len(t)) * e + 0.25 * np.sin(2 * np.pi * 190 * t) * e


def hat():
    t, e = env(0.05, 0.012)
    noise = rng.standard_normal(len(t))
    return 0.12 * np.diff(np.r_[0, noise]) * e


def tone(freqs, dur, decay, amp):
    t, e = env(dur, decay)
    return amp * sum(np.sin(2 * np.pi * f * t) for f in freqs) * e


bass = [55.0, 55.0, 65.41, 73.42]
chords = [[220.0, 261.63, 329.63], [196.0, 246.94, 293.66], [174.61, 220.0, 261.63], [196.0, 246.94, 329.63]]
rows = []
for bar in range(BARS):
    for b in range(4):
        t = FIRST + (bar * 4 + b) * beat
        rows.append((t, b + 1))
        add(t, kick() if b in (0, 2) else snare())
        add(t, tone([bass[b]], beat * 0.9, 0.25, 0.3))
        add(t, hat())
        add(t + beat / 2, hat())
        if b == 0:
            add(t, tone(chords[bar % 4], beat * 1.8, 0.4, 0.08))
y *= 0.8 / np.max(np.abs(y))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
raw = os.path.join(out, 'groove.raw')
y.astype('<f4').tofile(raw)
subprocess.run(['sox', '-t', 'raw', '-r', str(SR), '-e', 'floating-point', '-b', '32', '-c', '1', raw,
                '-b', '16', os.path.join(out, 'groove-120bpm.flac')], check=True)
os.remove(raw)
with open(os.path.join(out, 'groove-120bpm.beats'), 'w') as f:
    for t, pos in rows:
        f.write(f'{t:.4f}\t{pos}\n')
