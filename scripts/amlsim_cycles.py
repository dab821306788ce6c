#!/usr/bin/env python3
"""Synthetic AMLSim-style cycle samples for checking the mule-account finders.

Takes the ordinary traffic of the AMLSim fan-in sample (transfers of 20 yuan
or more; its laundering transfers and labels are dropped) and injects 200
cycle patterns of 4-10 random accounts, AMLSim's CycleTypology shape: each
member passes the amount on to the next, less a 10 % margin.

  small:    3-5 yuan, repeated every 37 days, hops 0-3 days apart (like the
            fan-in sample's laundering transfers)
  ordinary: 300-600 yuan once (at least 100), hops 1-10 days apart
  fixed / fixed-big: AMLSim's own cycle schedule (FIXED_INTERVAL: hops
            149 // size days apart, each hop made size times at random
            amounts of 3-5 / 10-20 yuan)
  mixed:    the fan-in sample as it is (its own fan-in patterns, laundering
            transfers and labels kept) plus ordinary cycles, like AMLSim's
            mixed fan-in + cycle sample

Usage: amlsim_cycles.py small|ordinary|mixed|fixed|fixed-big OUT_DIR [SEED]; then
interdict import amlsim OUT_DIR DATASET, govern, eval (docs/governance.md).
"""
import csv
import os
import random
import sys

SRC = '/work/shared/datasets/amlsim-fanin200/'


def main():
    mode, out = sys.argv[1], sys.argv[2]
    random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    nodes = list(csv.DictReader(open(SRC + 'nodes.csv')))
    ids = [r['nodeid'] for r in nodes]
    keep = mode == 'mixed'
    rows = [(r['sourceNodeId'], r['targetNodeId'], r['value'], int(r['time']))
            for r in csv.DictReader(open(SRC + 'transactions.csv')) if keep or float(r['value']) >= 20]
    fraud, laundering = set(), []
    if keep:
        fraud = {r['nodeid'] for r in nodes if r['isFraud'] in ('1', 'True', 'true')}
    for _ in range(200):
        size = random.randint(4, 10)
        members = random.sample(ids, size)
        fraud |= set(members)
        start = random.randint(1, 40)
        if mode in ('fixed', 'fixed-big'):
            # AMLSim's own CycleTransactionModel (FIXED_INTERVAL): hop i at
            # start + (149 // size) * i, the same transfer made once per member
            # (every member's step calls sendTransactions), each at a fresh
            # random amount; small: as the fan-in sample's 3-5 yuan, big: 10-20
            lo, hi = (3, 5) if mode == 'fixed' else (10, 20)
            interval = 149 // size
            start = random.randint(1, interval)
            for i in range(size):
                step = start + interval * i
                if step <= 149:
                    for _ in range(size):
                        laundering.append((members[i], members[(i + 1) % size], random.uniform(lo, hi), step))
        elif mode == 'small':
            amount = random.uniform(3, 5)
            for rep in range(4):
                for i in range(size):
                    step = start + rep * 37 + i * random.randint(0, 3)
                    if step <= 149:
                        laundering.append((members[i], members[(i + 1) % size], amount * 0.9 ** i, step))
        else:
            amount, interval = random.uniform(300, 600), random.randint(1, 10)
            for i in range(size):
                step = start + i * interval
                if step <= 149:
                    laundering.append((members[i], members[(i + 1) % size], max(amount * 0.9 ** i, 100), step))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'nodes.csv'), 'w') as f:
        f.write('nodeid,isFraud,init_balance,fraudStep\n')
        for r in nodes:
            f.write(f"{r['nodeid']},{int(r['nodeid'] in fraud)},{r['init_balance']},-1\n")
    rows += [(a, b, f'{v:.2f}', s) for a, b, v, s in laundering]
    rows.sort(key=lambda x: x[3])
    with open(os.path.join(out, 'transactions.csv'), 'w') as f:
        f.write('sourceNodeId,targetNodeId,value,time\n')
        for a, b, v, s in rows:
            f.write(f'{a},{b},{v},{s}\n')
    print(f'{len(fraud)} laundering accounts, {len(laundering)} laundering transfers')


if __name__ == '__main__':
    main()
