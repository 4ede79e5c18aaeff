# Reference power spectra computed with numpy following featuremapper
# b2ddf28 analysis/raster.py fft_power and hypercolumns.py wavenumber_spectrum.
import json, numpy as np
rng = np.random.RandomState(7)
out = {"description": "Orientation-like maps (values in [0, pi)) from numpy RandomState(7); "
       "'power' = featuremapper fft_power (pref/pi, |fftshift(fft2(x-0.5))|, 1-s, min-max to [0,1]); "
       "'amplitudes' = featuremapper wavenumber_spectrum of that power (even sizes cropped to odd, "
       "digitize by distance from the cropped centre, mean per bin). Computed with numpy %s." % np.__version__,
       "cases": []}
for dim in (12, 11):
    pref = rng.uniform(0, np.pi, (dim, dim))
    m = pref / np.pi
    s = abs(np.fft.fftshift(np.fft.fft2(m - 0.5)))
    s = 1 - s
    spec = (s - s.min()) / (s.max() - s.min())
    sp = spec
    d = dim
    if not d % 2:
        sp = sp[:-1, :-1]; d = sp.shape[0]
    sp = 1 - sp
    bins = list(range(0, d // 2 + 1))
    x, y = np.mgrid[-(d // 2):(d // 2) + 1, -(d // 2):(d // 2) + 1]
    dist = ((x ** 2 + y ** 2) ** 0.5).flatten()
    alloc = np.digitize(dist, bins)
    amps = [float(np.mean(sp.flatten()[alloc == b])) for b in sorted(set(alloc))]
    assert len(amps) == len(bins)
    out["cases"].append({"dim": dim, "preference": pref.flatten().tolist(),
                         "power": spec.flatten().tolist(), "amplitudes": amps})
json.dump(out, open("fft_power_reference.json", "w"))
