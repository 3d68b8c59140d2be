#!/usr/bin/python3
"""How close the reported tempo is to the music's, beat by beat.

usage: tempo_accuracy.py GT_DIR JSON_DIR

JSON_DIR holds `tactus-analyze --json --out-dir JSON_DIR GT_DIR` output.
For each clip with a steady annotated tempo (inter-beat intervals within
2 %), each reported beat's BPM is compared with the annotated tempo at
the metrical level nearest it (1/2, 2/3, 3/4, 1, 4/3, 3/2 or 2 times): the
error in %. A MIDI clock, Link and OSC /tempo run from this figure. Clips
tracked at an unrelated tempo count with their full error.
"""
import glob
import json
import os
import sys

import numpy as np

LEVELS = (0.5, 2 / 3, 0.75, 1, 4 / 3, 1.5, 2)


def main():
    gt_dir, est_dir = sys.argv[1], sys.argv[2]
    errors = []
    for path in sorted(glob.glob(os.path.join(est_dir, '*.json'))):
        name = os.path.basename(path)[:-5]
        gt_path = os.path.join(gt_dir, name + '.beats')
        if not os.path.exists(gt_path) or os.path.getsize(gt_path) == 0:
            continue
        gt = np.loadtxt(gt_path, ndmin=2)[:, 0]
        ibi = np.diff(gt)
        if len(ibi) < 3 or ibi.std() / ibi.mean() > 0.02:
            continue
        tempo = 60 / np.median(ibi)
        bpm = [e['bpm'] for e in map(json.loads, filter(str.strip, open(path))) if e.get('kind') == 'beat']
        if len(bpm) < 8:
            continue
        err = np.array([min(abs(b / (tempo * l) - 1) for l in LEVELS) * 100 for b in bpm])
        errors.append(err)
        print(f'{name:32s} mean {err.mean():5.2f} %  beats over 0.5 %: {np.mean(err > 0.5) * 100:5.1f} %  over 1 %: '
              f'{np.mean(err > 1) * 100:5.1f} %')
    if not errors:
        sys.exit('tempo_accuracy: no clip with a steady annotated tempo and reported beats')
    a = np.concatenate(errors)
    print(f'ALL {len(errors)} clips, {len(a)} beats: mean {a.mean():.3f} %, median {np.median(a):.3f} %, '
          f'over 0.5 %: {np.mean(a > 0.5) * 100:.1f} %, over 1 %: {np.mean(a > 1) * 100:.1f} %')


if __name__ == '__main__':
    main()
