"""Writes the small synthetic colour images of the 'cr' tests
(foliage_like_<n>.png, 32x32 RGB): per channel a sine grating of its own
orientation and frequency plus numpy RandomState(7) noise, so the three
channels differ. Stand-ins for the McGill foliage images, which are not
shipped.

    cd tests/data/colour && python3 make_images.py
"""
import numpy as np
from PIL import Image

rs = np.random.RandomState(7)
y, x = np.mgrid[0:32, 0:32] / 32.0
for n in range(3):
    chans = []
    for c in range(3):
        o = rs.uniform(0, np.pi)
        f = rs.uniform(2, 5)
        g = 0.5 + 0.4 * np.sin(2 * np.pi * f * (x * np.cos(o) + y * np.sin(o)))
        chans.append(np.clip(g + 0.1 * rs.uniform(-1, 1, g.shape), 0, 1))
    a = (np.dstack(chans) * 255).round().astype(np.uint8)
    Image.fromarray(a, 'RGB').save('foliage_like_%d.png' % n)
