# Reference values for `param.random_seed` other than 42, from param
# a35c2a3's own numbergen module under Python 3 (Python 2's tuple-seed hash
# patched in, as in gen_extra.py). For each global seed: time-dependent
# random distributions (their values at several times) and the first draws
# of a time-dependent numpy stream (imagen.random's hashed RandomState).
import sys, json, random
sys.path.insert(0, '/tmp/paramsrc')
_seed = random.Random.seed
def seed(self, a=None, version=2):
    if a == (500, 500):
        a = 3713379326836600331
    return _seed(self, a)
random.Random.seed = seed
import numpy as np
import param, numbergen
from fractions import Fraction as F
param.Dynamic.time_dependent = True
param.Dynamic.time_fn(F(0), F)

TIMES = ['0', '1/20', '21/20', '3', '10001/20']

class HashedNumpy(numbergen.TimeAwareRandomState):
    random_generator = param.Parameter(default=np.random.RandomState(seed=(500, 500)))

out = {'generated_with': 'param a35c2a3 numbergen, Python 3 with the Python 2 tuple-seed hash (crates/numbergen/tests/data/gen_random_seed.py)',
       'cases': []}
for rs in [42, 7, -3, 2**33 + 5]:
    param.random_seed = rs
    dists = []
    for cls, name, s, kw in [('UniformRandom', 'XCoordinator0', 12, dict(lbound=-0.75, ubound=0.75)),
                             ('UniformRandom', 'OrientationCoordinator1', 22, dict(lbound=-3.141592653589793, ubound=3.141592653589793)),
                             ('NormalRandom', 'Noise', 5, dict(mu=0.5, sigma=2.0))]:
        g = getattr(numbergen, cls)(name=name, seed=s, time_dependent=True, **kw)
        vals = []
        for ts in TIMES:
            param.Dynamic.time_fn(F(ts))
            vals.append([ts, g()])
        dists.append({'class': 'numbergen.' + cls, 'name': name, 'seed': s, 'params': kw, 'values': vals})
    hashed = []
    for name, ts in [('V1.LGNOnAfferent_CF (0.00000, 0.00000)', '0'), ('Retina.noise', '21/20')]:
        param.Dynamic.time_fn(F(ts))
        h = HashedNumpy(time_dependent=True)
        h._initialize_random_state(seed=(500, 500), shared=True, name=name)
        h._hash_and_seed()
        hashed.append({'name': name, 'time': ts, 'uniform': list(h.random_generator.uniform(0.0, 1.0, 4))})
    out['cases'].append({'random_seed': rs, 'distributions': dists, 'hashed_numpy': hashed})
json.dump(out, open(sys.argv[1], 'w'), indent=1)
