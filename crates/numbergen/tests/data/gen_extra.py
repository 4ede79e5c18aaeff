# Extra numbergen reference values from param a35c2a3's own numbergen module
# run under Python 3.11, patched to Python 2 semantics where they differ:
# a tuple seed is replaced by its 64-bit Python 2 hash, and randint/choice
# use Python 2's arithmetic (int(random()*n)).
import sys, json, random, fractions, math
sys.path.insert(0, '/tmp/paramsrc')
_seed = random.Random.seed
def seed(self, a=None, version=2):
    if a == (500, 500):
        a = 3713379326836600331
    return _seed(self, a)
random.Random.seed = seed
def randint(self, a, b):
    istart, istop = int(a), int(b + 1)
    assert istart == a
    return int(istart + int(self.random() * (istop - istart)))
random.Random.randint = randint
def choice(self, seq):
    return seq[int(self.random() * len(seq))]
random.Random.choice = choice
import param, numbergen
from fractions import Fraction as F
param.Dynamic.time_dependent = True  # as topo sets it
param.Dynamic.time_fn(F(0), F)

def times():
    return ['0', '1/20', '21/20', '3', '41/20', '1/3', '4/3', '100']

out = {'generated_with': 'param a35c2a3 numbergen under Python 3.11 with Python 2 randint/choice/tuple-seed patches (crates/numbergen/tests/data/gen_extra.py)', 'cases': []}

def record(desc, make, td, spec):
    """spec: dict of the component (class, params, nested) for the Rust side."""
    g = make()
    vals = []
    if td:
        for ts in times():
            param.Dynamic.time_fn(F(ts))
            vals.append([ts, g()])
    else:
        for i in range(12):
            param.Dynamic.time_fn(F(i))
            vals.append([str(i), g()])
    out['cases'].append({'desc': desc, 'time_dependent_calls': td, 'spec': spec, 'values': vals})

def rd(cls, name, seed, td, **kw):
    spec = {'class': 'numbergen.' + cls, 'params': dict(name=name, seed=seed, time_dependent=td, **kw)}
    return spec, (lambda: getattr(numbergen, cls)(name=name, seed=seed, time_dependent=td, **kw))

for td in (False, True):
    for cls, kw in [('UniformRandom', dict(lbound=-0.3, ubound=2.0)),
                    ('UniformRandomOffset', dict(mean=0.5, range=0.25)),
                    ('UniformRandomInt', dict(lbound=-5, ubound=5)),
                    ('Choice', dict(choices=[0.5, 1, 2.25, -3])),
                    ('NormalRandom', dict(mu=0.5, sigma=2.0)),
                    ('VonMisesRandom', dict(mu=1.0, kappa=4.0)),
                    ('VonMisesRandom', dict(mu=0.0, kappa=0.0))]:
        spec, make = rd(cls, cls + 'X', 77, td, **kw)
        record('%s td=%s %s' % (cls, td, kw), make, td, spec)
    # seed None: time-dependent streams hash the bare name.
    if td:
        spec, make = rd('UniformRandom', 'noseed', None, True)
        record('UniformRandom seed=None td', make, True, spec)

# Operators over a sequential generator, called directly.
def inner():
    return numbergen.UniformRandom(name='inner', seed=5, lbound=-1.0, ubound=1.0)
inner_spec = {'class': 'numbergen.UniformRandom', 'params': dict(name='inner', seed=5, time_dependent=False, lbound=-1.0, ubound=1.0)}
ops = [('mul', lambda g: g * 2.5, 'mul', inner_spec, 2.5),
       ('rsub', lambda g: 2 - g, 'sub', 2, inner_spec),
       ('mod', lambda g: g % 0.3, 'mod', inner_spec, 0.3),
       ('rmod', lambda g: 1.0 % g, 'mod', 1.0, inner_spec),
       ('pow', lambda g: abs(g) ** 1.5, None, None, None),
       ('truediv', lambda g: g / 3, 'truediv', inner_spec, 3),
       ('floordiv', lambda g: g // 0.1, 'floordiv', inner_spec, 0.1),
       ('radd', lambda g: 0.0 + g, 'add', 0.0, inner_spec)]
for desc, f, op, lhs, rhs in ops:
    if op is None:
        spec = {'class': 'numbergen.BinaryOperator', 'params': {'name': 'b', 'operator': 'pow',
                'lhs': {'class': 'numbergen.UnaryOperator', 'params': {'name': 'u', 'operator': 'abs', 'operand': inner_spec}},
                'rhs': 1.5}}
    else:
        spec = {'class': 'numbergen.BinaryOperator', 'params': {'name': 'b', 'operator': op, 'lhs': lhs, 'rhs': rhs}}
    record('BinaryOperator ' + desc, lambda: f(inner()), False, spec)
record('UnaryOperator neg', lambda: -inner(), False,
       {'class': 'numbergen.UnaryOperator', 'params': {'name': 'u', 'operator': 'neg', 'operand': inner_spec}})
record('BoundedNumber', lambda: numbergen.BoundedNumber(generator=inner(), bounds=(-0.2, 0.3)), False,
       {'class': 'numbergen.BoundedNumber', 'params': {'name': 'bn', 'generator': inner_spec, 'bounds': [-0.2, 0.3]}})
record('BoundedNumber lower only', lambda: numbergen.BoundedNumber(generator=inner(), bounds=(0.1, None)), False,
       {'class': 'numbergen.BoundedNumber', 'params': {'name': 'bn', 'generator': inner_spec, 'bounds': [0.1, None]}})

# Functions of time.
for kw in [dict(), dict(starting_value=1.0, ending_value=0.0125, time_constant=8000), dict(starting_value=3, ending_value=1, time_constant=7, base=2)]:
    record('ExponentialDecay %s' % kw, lambda: numbergen.ExponentialDecay(**kw), True,
           {'class': 'numbergen.ExponentialDecay', 'params': dict(name='ed', **kw)})
record('ScaledTime', lambda: numbergen.ScaledTime(factor=0.7), True,
       {'class': 'numbergen.ScaledTime', 'params': dict(name='st', factor=0.7)})
record('BoxCar', lambda: numbergen.BoxCar(onset=1.0, duration=2.0), True,
       {'class': 'numbergen.BoxCar', 'params': dict(name='bc', onset=1.0, duration=2.0)})
# Exact comparison of the rational time with a float onset (t = 1/3).
record('BoxCar onset 1/3.0', lambda: numbergen.BoxCar(onset=1/3.0, duration=1.0), True,
       {'class': 'numbergen.BoxCar', 'params': dict(name='bc', onset=1/3.0, duration=1.0)})
record('SquareWave', lambda: numbergen.SquareWave(onset=0.5, duration=1.0, off_duration=1.5), True,
       {'class': 'numbergen.SquareWave', 'params': dict(name='sw', onset=0.5, duration=1.0, off_duration=1.5)})
record('BoundedNumber of ExponentialDecay', lambda: numbergen.BoundedNumber(
           generator=numbergen.ExponentialDecay(starting_value=1.0, time_constant=8), bounds=(0.5 / 40, None)), True,
       {'class': 'numbergen.BoundedNumber', 'params': {'name': 'bn', 'bounds': [0.5 / 40, None],
        'generator': {'class': 'numbergen.ExponentialDecay', 'params': dict(name='ed', starting_value=1.0, time_constant=8)}}})

# Hashes of a few awkward times (negative, large denominators).
out['hashes'] = []
for name, ts in [('XCoordinator012', '-1/20'), ('n', '123456789/1000'), ('ünï', '7'), ('', '0')]:
    h = numbergen.Hash(name, input_count=2)(F(ts), param.random_seed)
    out['hashes'].append({'name': name, 'time': ts, 'hash': h})

# random.Random.gauss keeps the second value of each Box-Muller pair.
_r = random.Random(3)
out['gauss_seed3_mu1_sigma2'] = [_r.gauss(1.0, 2.0) for _ in range(7)]

# numpy's legacy RandomState (numpy %s).
import numpy as np
out['numpy_version'] = np.__version__
out['numpy'] = {
    'tuple_500_500_random_sample': np.random.RandomState((500, 500)).random_sample(6).tolist(),
    'tuple_67_89_uniform_m1_1': np.random.RandomState((67, 89)).uniform(-1, 1, 6).tolist(),
    'int_261907358_uniform_0_1': np.random.RandomState(261907358).uniform(0, 1, 6).tolist(),
    'int_0_uniform_0p1_1p3': np.random.RandomState(0).uniform(0.1, 1.3, 6).tolist(),
}
json.dump(out, open(sys.argv[1], 'w'), indent=1, ensure_ascii=False)
