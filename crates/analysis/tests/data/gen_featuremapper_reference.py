# Reference pinwheel and hypercolumn results for synthetic orientation maps,
# computed the way featuremapper b2ddf28 does (analysis/pinwheels.py,
# analysis/hypercolumns.py, analysis/raster.py) with numpy, scipy's
# curve_fit and matplotlib's contour (contourpy, algorithm mpl2014).
# Usage: python3 gen_featuremapper_reference.py > featuremapper_reference.json
import json, sys
import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.path import Path
from scipy.optimize import curve_fit


def plane_wave_map(dim, cycles, waves, rng):
    k = 2 * np.pi * cycles / dim
    r, c = np.mgrid[0:dim, 0:dim]
    z = np.zeros((dim, dim), complex)
    for j in range(waves):
        a = np.pi * (j + rng.uniform()) / waves
        s = 1 if rng.uniform() < 0.5 else -1
        z += np.exp(1j * (s * k * np.cos(a) * c + s * k * np.sin(a) * r + 2 * np.pi * rng.uniform()))
    return np.mod(np.angle(z) / 2, np.pi)


def pinwheels(pref, lbrt):
    l, b, r, t = lbrt
    polar = np.exp(1j * 2 * np.pi * (pref / np.pi))
    polar = polar / np.mean(np.abs(polar))
    fig = plt.figure()
    re = plt.contour(polar.real, [0], origin="upper", extent=[l, r, b, t]).allsegs[0]
    im = plt.contour(polar.imag, [0], origin="upper", extent=[l, r, b, t]).allsegs[0]
    plt.close(fig)

    def dedup(v):
        same = np.all(np.diff(v, axis=0) == 0, axis=1)
        return np.delete(v, np.nonzero(same)[0], axis=0)

    re = [dedup(v) for v in re]
    im = [dedup(v) for v in im]
    amin = lambda x1, x2: np.where(x1 < x2, x1, x2)
    amax = lambda x1, x2: np.where(x1 > x2, x1, x2)
    aall = lambda bs: np.dstack(bs).all(axis=2)
    slope = lambda line: (lambda d: d[:, 1] / d[:, 0])(np.diff(line, axis=0))
    points = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for c1 in re:
            for c2 in im:
                # featuremapper only intersects paths matplotlib says cross.
                if not Path(c2).intersects_path(Path(c1)):
                    continue
                x11, x21 = np.meshgrid(c1[:-1, 0], c2[:-1, 0])
                x12, x22 = np.meshgrid(c1[1:, 0], c2[1:, 0])
                y11, y21 = np.meshgrid(c1[:-1, 1], c2[:-1, 1])
                y12, y22 = np.meshgrid(c1[1:, 1], c2[1:, 1])
                m1, m2 = np.meshgrid(slope(c1), slope(c2))
                m2inv = 1 / m2
                yi = (m1 * (x21 - x11 - m2inv * y21) + y11) / (1 - m1 * m2inv)
                xi = (yi - y21) * m2inv + x21
                xc = (amin(x11, x12) < xi, xi <= amax(x11, x12), amin(x21, x22) < xi, xi <= amax(x21, x22))
                yc = (amin(y11, y12) < yi, yi <= amax(y11, y12), amin(y21, y22) < yi, yi <= amax(y21, y22))
                points += list(zip(xi[aall(xc)], yi[aall(yc)]))
    return points


def kaschube(k, a0, a1, a2, a3, a4, a5):
    return a0 * np.exp(-((k - a1) ** 2) / (2 * a2 ** 2)) + a3 + a4 * k + a5 * np.power(k, 2)


def hypercolumns(pref):
    m = pref / np.pi
    s = 1 - abs(np.fft.fftshift(np.fft.fft2(m - 0.5)))
    spec = (s - s.min()) / (s.max() - s.min())
    dim = spec.shape[0]
    sp = spec if dim % 2 else spec[:-1, :-1]
    d = sp.shape[0]
    sp = 1 - sp
    bins = list(range(0, d // 2 + 1))
    x, y = np.mgrid[-(d // 2):(d // 2) + 1, -(d // 2):(d // 2) + 1]
    alloc = np.digitize(((x ** 2 + y ** 2) ** 0.5).flatten(), bins)
    amps = np.array([np.mean(sp.flatten()[alloc == bb]) for bb in sorted(set(alloc))])
    ks = np.arange(len(amps))
    argmax = float(np.argmax(amps[1:]) + 1)
    base = np.mean(amps)
    try:
        fit, _ = curve_fit(kaschube, ks, amps, [amps[int(argmax)] - base, argmax, 4.0, base, 0, 0], maxfev=10000)
        valid = fit[1] > 0
    except RuntimeError:
        fit, valid = None, False
    kmax = float(fit[1]) if valid else argmax
    return amps.tolist(), (fit.tolist() if fit is not None else None), bool(valid), kmax


rng = np.random.RandomState(11)
cases = []
for dim, cycles in [(33, 4.0), (41, 5.0), (48, 6.0), (49, 7.0)]:
    pref = plane_wave_map(dim, cycles, 16, rng)
    lbrt = (-0.5, -0.5, 0.5, 0.5)
    pts = pinwheels(pref, lbrt)
    amps, fit, valid, kmax = hypercolumns(pref)
    cases.append({"dim": dim, "cycles": cycles, "preference": pref.flatten().tolist(),
                  "bounds_lbrt": lbrt, "pinwheels": [[float(a), float(b)] for a, b in pts],
                  "amplitudes": amps, "fit": fit, "fit_valid": valid, "kmax": kmax})
# White-noise maps: many saddles in Re and Im, to check saddle handling.
for dim in (16, 23):
    pref = rng.uniform(0, np.pi, (dim, dim))
    lbrt = (-0.5, -0.5, 0.5, 0.5)
    pts = pinwheels(pref, lbrt)
    amps, fit, valid, kmax = hypercolumns(pref)
    cases.append({"dim": dim, "cycles": None, "preference": pref.flatten().tolist(),
                  "bounds_lbrt": lbrt, "pinwheels": [[float(a), float(b)] for a, b in pts],
                  "amplitudes": amps, "fit": fit, "fit_valid": valid, "kmax": kmax})
json.dump({"description": "Synthetic orientation maps (plane waves, then two white-noise maps; numpy RandomState(11)) with "
           "featuremapper b2ddf28's pinwheel points (matplotlib %s contour, level 0, origin upper, "
           "extent = bounds) and hypercolumn analysis (scipy %s curve_fit of the Kaschube function, "
           "kmax = a1 if valid else arg-max)." % (matplotlib.__version__, __import__("scipy").__version__),
           "cases": cases}, sys.stdout)
