"""Independent reference for the channels of colour FileImages
(crates/pattern/tests/integration/colour_channels.rs).

Writes three small synthetic colour images (random pixels from numpy's
RandomState(13); origin: this script) into images/ and, for several
parameter sets, sampler settings, ScaleChannels factors and two grids,
the default (grayscale) render and every channel render into
colour_channels.json. Written from imagen d451081's documented semantics
(imagen/image.py FileImage._load_pil_image, GenericImage._reduced_call /
_process_channels, PatternSampler.__call__, edge_average,
ScaleChannels; imagen/__init__.py Selector.function), with numpy and
Pillow only, not from topo-hpc's code. imagen itself is not needed.

    cd crates/pattern/tests/data && python3 colour_channels_reference.py
"""
import json
import math
import numpy as np
from PIL import Image, ImageOps

rs = np.random.RandomState(13)
images = {
    'colour_rgb.png': Image.fromarray(rs.randint(0, 256, (7, 9, 3)).astype(np.uint8), 'RGB'),
    'colour_rgba.png': Image.fromarray(rs.randint(0, 256, (8, 6, 4)).astype(np.uint8), 'RGBA'),
    'colour.ppm': Image.fromarray(rs.randint(0, 200, (4, 5, 3)).astype(np.uint8), 'RGB'),
}
for name, im in images.items():
    im.save('images/' + name)


def load(name):
    """FileImage._load_pil_image: grayscale image, channels / global max."""
    im = Image.open('images/' + name)
    gray = np.array(ImageOps.grayscale(im), float)
    im.load()
    data = np.asarray(im, float)
    data = data / data.max()
    return gray, [data[:, :, i] for i in range(data.shape[2])]


def edge_average(a):
    top, bottom, left, right = a[0], a[-1], a[1:-1, 0], a[1:-1, -1]
    s = np.sum(top) + np.sum(bottom) + np.sum(left) + np.sum(right)
    return float(s) / (len(top) + len(bottom) + len(left) + len(right))


def sample(image, px, py, d, width, height, sampler):
    image = np.array(image, float)
    if sampler['linf']:
        tot = 1.0 * np.abs(image).max()
        if tot != 0:
            image *= 1.0 / tot
    bg = edge_average(image) if sampler['edge_average'] else 0.0
    rows, cols = image.shape
    x = px * d
    y = py * d
    norm = sampler['size_normalization']
    if norm == 'stretch_to_fit':
        x *= cols / d
        y *= rows / d
    elif norm == 'fit_shortest':
        sf = rows / d if rows < cols else cols / d
        x *= sf
        y *= sf
    elif norm == 'fit_longest':
        sf = cols / d if rows < cols else rows / d
        x *= sf
        y *= sf
    x /= width
    y /= height
    left, bottom, right, top = -cols / 2.0, -rows / 2.0, cols / 2.0, rows / 2.0
    c = np.floor(x - left).astype(int).clip(0, cols - 1)
    r = np.floor(top - y).astype(int).clip(0, rows - 1)
    inside = (x >= left) & (x < right) & (y > bottom) & (y <= top)
    return np.where(inside, image[r, c], bg)


def coords(radius, d, x0, y0, o):
    n = int(round(2 * radius * d))
    step = 1.0 / d
    xs = np.around((np.arange(n) + 0.5) * step - radius, 10) - x0
    ys = np.around(radius - (np.arange(n) + 0.5) * step, 10) - y0
    px = np.add.outer(np.sin(o) * ys, np.cos(o) * xs)
    py = np.subtract.outer(np.cos(o) * ys, np.sin(o) * xs)
    return px, py


def render(name, p, sampler, factors, radius, d):
    gray, chans = load(name)
    px, py = coords(radius, d, p['x'], p['y'], p['orientation'])
    height = p['size']
    width = p['aspect_ratio'] * height
    default = p['scale'] * sample(gray, px, py, d, width, height, sampler) + p['offset']
    channels = [p['scale'] * sample(ch, px, py, d, width, height, sampler) + p['offset']
                for ch in chans]
    if factors is not None:
        for i in range(min(len(channels), len(factors))):
            channels[i] = channels[i] * factors[i]
            channels[i][channels[i] > 1] = 1.0
    return default, channels


CASES = [
    dict(x=0.0, y=0.0, orientation=0.0, size=1.0, aspect_ratio=1.0, scale=1.0, offset=0.0),
    dict(x=0.1, y=-0.05, orientation=0.6, size=0.8, aspect_ratio=1.4, scale=0.7, offset=0.1),
    dict(x=-0.2, y=0.15, orientation=-1.1, size=1.3, aspect_ratio=0.8, scale=1.5, offset=0.0),
]
SAMPLERS = [
    dict(size_normalization='fit_shortest', linf=True, edge_average=True),
    dict(size_normalization='stretch_to_fit', linf=True, edge_average=True),
    dict(size_normalization='fit_longest', linf=False, edge_average=False),
]
FACTORS = [None, [0.9, 1.0, 0.97], [1.6, 0.5, 2.0]]
GRIDS = [(0.5, 8.0), (0.75, 6.0)]

records = []
for name in sorted(images):
    for ci, p in enumerate(CASES):
        for si, s in enumerate(SAMPLERS):
            f = FACTORS[(ci + si) % 3]
            for radius, d in GRIDS:
                default, channels = render(name, p, s, f, radius, d)
                records.append(dict(image=name, params=p, sampler=s, factors=f,
                                    radius=radius, density=d, selector=None,
                                    default=default.ravel().tolist(),
                                    channels=[c.ravel().tolist() for c in channels]))

# Selector(generators=[FileImage rgb, FileImage rgba], index=0.7) with its
# own position folded in: generator int(2*0.7) = 1, called with
# x = X + size*(gx cos O - gy sin O), ..., scale = gs*S, offset = go+OFF.
sel = dict(x=0.05, y=-0.1, orientation=0.3, size=1.2, scale=0.8, offset=0.05, index=0.7)
g = dict(x=0.1, y=0.2, orientation=0.4, size=0.9, aspect_ratio=1.2, scale=1.1, offset=0.02)
O = sel['orientation']
call = dict(x=sel['x'] + sel['size'] * (g['x'] * math.cos(O) - g['y'] * math.sin(O)),
            y=sel['y'] + sel['size'] * (g['x'] * math.sin(O) + g['y'] * math.cos(O)),
            orientation=g['orientation'] + O, size=g['size'] * sel['size'],
            aspect_ratio=g['aspect_ratio'], scale=g['scale'] * sel['scale'],
            offset=g['offset'] + sel['offset'])
for radius, d in GRIDS:
    default, channels = render('colour_rgba.png', call, SAMPLERS[0], FACTORS[1], radius, d)
    # PatternGenerator.__call__ applies the Selector's own scale and
    # offset once more to the value function() returns; the channels are
    # the generator's own.
    default = sel['scale'] * default + sel['offset']
    records.append(dict(image='colour_rgba.png', params=g, sampler=SAMPLERS[0],
                        factors=FACTORS[1], radius=radius, density=d,
                        selector=dict(sel, other='colour_rgb.png'),
                        default=default.ravel().tolist(),
                        channels=[c.ravel().tolist() for c in channels]))

with open('colour_channels.json', 'w') as fh:
    json.dump(dict(source='colour_channels_reference.py', records=records), fh)
print(len(records), 'records')
