"""An independent model of SweepingBar (tests/data/library/oriented_line.ty),
written from the semantics, not from topo-hpc: imagen's
PatternGenerator.__call__ runs _setup_xy with the CURRENT x, y, orientation,
then function (which moves them for the NEXT call), then patternfn.line;
numbergen.UniformRandom(seed=7) is Python's random.Random(7).uniform,
drawn only when the bar restarts. Checks the Retina activity a
`topo-hpc trace` JSON holds against it.

    oriented_line_reference.py TRACE.json STEP TIMES
"""
import json, math, random, sys
import numpy as np
density, step, seed, times = 12.0, float(sys.argv[2]), 7, [int(t) for t in sys.argv[3].split(',')]
thickness, smoothing = 0.04, 0.03
n = int(density)
# sheetcoords.matrixidx2sheet rounds centres to 10 decimals
xs = np.around(-0.5 + (np.arange(n) + 0.5) / density, 10)
ys = np.around(0.5 - (np.arange(n) + 0.5) / density, 10)
rng = random.Random(seed)
st = dict(x=0.0, y=0.0, orientation=0.0, restart=1)
out = {}
draws = 0
for call in range(1, max(times) + 1):
    o = st['orientation']
    X = xs[None, :] - st['x']; Y = ys[:, None] - st['y']
    py = np.cos(o) * Y - np.sin(o) * X
    if st['restart'] == 1:
        h = rng.uniform(0, 360)
        draws += 1
        sense = 1
        if h > 180:
            h -= 180; sense = -1
        if h == 0: dx, dy = 0.0, step
        elif h == 90: dx, dy = step, 0.0
        elif h < 90: dx, dy = step / math.sin(math.radians(h)), step / math.sin(math.radians(90 - h))
        else: dx, dy = step / math.sin(math.radians(180 - h)), step / math.sin(math.radians(h - 90))
        if 0 <= h < 90:
            if sense == 1: sx, sy = -0.5, -0.5
            else: sx, sy, dx, dy = 0.5, 0.5, -dx, -dy
        elif sense == 1: sx, sy, dy = -0.5, 0.5, -dy
        else: sx, sy, dx = 0.5, -0.5, -dx
        st.update(x=sx, y=sy, dx=dx, dy=dy, restart=0, orientation=h)
    else:
        st['x'] += st['dx']; st['y'] += st['dy']
        st['restart'] = 1 if not (-0.5 <= st['x'] <= 0.5 and -0.5 <= st['y'] <= 0.5) else 0
    g = np.abs(py) - thickness / 2.0
    line = np.where(g <= 0, 1.0, np.exp(-g * g / (2 * smoothing * smoothing)))
    if call in times:
        out[str(call)] = line
d = json.load(open(sys.argv[1]))['sheets']['Retina']
worst = 0.0
for t in map(str, times):
    got = np.array(d[t])
    worst = max(worst, float(np.max(np.abs(got - out[t]))))
# the restart branch ran again after the first draw
assert draws >= 2, draws
assert worst <= 1e-12, worst
print('max |diff| %.3e over %d presentations, %d headings drawn' % (worst, len(times), draws))
