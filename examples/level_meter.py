#!/usr/bin/python3
"""A level meter: records an input and prints its level ten times a second.

    python3 examples/level_meter.py [--device NAME] [--seconds 5]
"""

import argparse
import math

import numpy as np

import audiocast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", help="input device (default: the default)")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    rate = 16000
    block = rate // 10
    with audiocast.AudioRecorder(args.device, rate, 1) as rec:
        for _ in range(int(args.seconds * 10)):
            x = rec.read(block)[:, 0]
            rms = float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
            db = 20 * math.log10(max(rms, 1e-10))
            bar = "#" * max(0, int((db + 60) / 2))
            print(f"{db:6.1f} dBFS {bar}", flush=True)


if __name__ == "__main__":
    main()
