#!/usr/bin/env python3
"""Synthesizes the sighting streams used by replay_test.go (deterministic seed).

Columns: seconds since start, subject ("" = the transmitter itself), beacon
id (BeaconID text form), gateway, RSSI (dBm; 127 = not available),
distance (m, 0 = none). The streams are synthesized, not captured: they model
1 Hz advertising with irregular reception, 5 dB Gaussian noise, reflection
spikes and dropouts.
"""
import random

def noisy_edge():
    r = random.Random(7)
    rows, t = [], 0.0
    beacon = "ibeacon:b9407f30-f5f8-466e-aff9-25556b57fe6d:3:7"
    while t < 180:
        if t < 40:
            level = -90 + (t / 40) * 16           # approaching: -90 -> -74
        elif t < 140:
            level = -74                            # hovering on the zone edge
        else:
            level = -74 - (t - 140) / 40 * 21      # leaving: -74 -> -95
        rssi = level + r.gauss(0, 5)
        if r.random() < 0.05:
            rssi += 15                             # reflection spike
        if r.random() >= 0.10:                     # 10 % dropouts
            rows.append((t, "cust-42", beacon, "phone-42", round(rssi), 0))
        t += r.uniform(0.3, 2.5)                   # irregular timing
    return rows

def store_walk():
    r = random.Random(11)
    rows = []
    tag = "address:C0:FF:EE:00:00:01"
    # gateway -> position on a line (m); the tag walks 0 -> 30 m and back out.
    gws = {"gw-shoes": 5.0, "gw-bags": 15.0, "gw-till": 25.0}
    skew = {"gw-shoes": 0.0, "gw-bags": 0.4, "gw-till": -0.3}  # gateway clock offsets (s)
    t = 0.0
    while t < 240:
        pos = t / 6 if t < 180 else 30 + (t - 180)  # walks the aisle, then leaves
        for gw, x in gws.items():
            d = max(abs(pos - x), 0.5)
            rssi = -59 - 25 * __import__("math").log10(d) + r.gauss(0, 4)
            if rssi < -95 or r.random() < 0.1:
                continue
            ts = round(t + skew[gw] + r.uniform(0, 0.05), 3)
            rows.append((ts, "", tag, gw, round(rssi), 0))
            if r.random() < 0.1:                     # MQTT redelivery
                rows.append((ts + 0.01, "", tag, gw, round(rssi), 0))
        t += 1.0
    rows.sort(key=lambda x: x[0] + r.uniform(0, 0.2))  # arrival order, not quite time order
    return rows

for name, rows in (("noisy_edge", noisy_edge()), ("store_walk", store_walk())):
    with open(name + ".csv", "w") as f:
        f.write("# seconds,subject,beacon,gateway,rssi,distance\n")
        for row in rows:
            f.write("%.3f,%s,%s,%s,%d,%g\n" % row)
