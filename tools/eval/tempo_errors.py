#!/usr/bin/python3
"""Tempo-octave errors and metrical-level flips of beat estimates.

usage: tempo_errors.py GT_DIR EST_DIR

For each clip with beats: the ratio of the estimated to the true tempo
(median inter-beat intervals after 5 s); an octave error is a ratio near 2
or 1/2, another metrical-level error near 3, 3/2, 2/3 or 1/3. A flip is a
change of the estimate's own metrical level inside the clip: a run of at
least four inter-beat intervals whose median differs from the clip's median
by a factor near 2 or 1/2.
"""
import glob
import os
import sys

import numpy as np


def read(path):
    rows = [l.split() for l in open(path) if l.strip() and not l.startswith('#')]
    return np.array([float(r[0]) for r in rows]) if rows else np.zeros(0)


def near(r, target, tol=0.08):
    return abs(r / target - 1) < tol


def main():
    gt_dir, est_dir = sys.argv[1], sys.argv[2]
    octave = other = clips = flips = 0
    for p in sorted(glob.glob(os.path.join(gt_dir, '*.beats'))):
        gt = read(p)
        if len(gt) < 4:
            continue
        name = os.path.basename(p)[:-6]
        est_path = os.path.join(est_dir, name + '.beats')
        est = read(est_path) if os.path.exists(est_path) else np.zeros(0)
        gt, est = gt[gt >= 5], est[est >= 5]
        clips += 1
        if len(est) < 4:
            print(f'{name:32s} too few beats')
            continue
        ibi = np.diff(est)
        ratio = np.median(np.diff(gt)) / np.median(ibi)
        kind = 'ok'
        if near(ratio, 2) or near(ratio, 0.5):
            octave += 1
            kind = 'octave'
        elif any(near(ratio, t) for t in (3, 1.5, 2 / 3, 1 / 3)):
            other += 1
            kind = 'metrical'
        elif not near(ratio, 1):
            kind = 'tempo'
        med = np.median(ibi)
        run = [np.median(ibi[i:i + 4]) / med for i in range(len(ibi) - 3)]
        f = 0
        state = 1.0
        for r in run:
            level = 2.0 if near(r, 2, 0.12) else 0.5 if near(r, 0.5, 0.12) else 1.0 if near(r, 1, 0.12) else state
            if level != state:
                f += 1
                state = level
        flips += f
        print(f'{name:32s} tempo ratio {ratio:5.2f} {kind:9s} flips {f}')
    print(f'clips {clips}: octave errors {octave} ({100 * octave / max(clips, 1):.0f} %), '
          f'other metrical-level errors {other} ({100 * other / max(clips, 1):.0f} %), '
          f'level flips within clips {flips}')


if __name__ == '__main__':
    main()
