#!/usr/bin/env python3
"""Convert a BeatNet PyTorch state dict (.pt) into a Tactus weights file.

A .pt file written by torch.save (zip format) is a zip archive holding
`<root>/data.pkl` (a pickle of an OrderedDict name -> tensor) and one raw
little-endian storage per `<root>/data/<key>`.  A tensor in the pickle is a
call to torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...),
and the storage is a persistent id ('storage', torch.FloatStorage, key,
device, numel).  This script reads that with the standard library alone (no
torch), with an unpickler that accepts only those few globals, so a hostile
pickle cannot run code.

The output is a safetensors file (https://huggingface.co/docs/safetensors):
8-byte little-endian header length, a JSON header, then the raw tensors.
Its `__metadata__` records the model id, the feature parameters, the source
(with the SHA-256 of the .pt it came from), the attribution (BeatNet, CC BY
4.0) and an XXH64 checksum of the tensor data, which the C++ loader verifies.  The format is documented in docs/MODEL_FORMAT.md.

usage: pt_to_safetensors.py MODEL.pt OUT.safetensors --model-id N [--source-sha256 HEX]
"""
import argparse
import json
import math
import pickle
import struct
import sys
import zipfile

# The tensors of BeatNet's BDA(272, 150, 2) and the shapes the engine expects.
EXPECTED = {
    'conv1.weight': (2, 1, 10),
    'conv1.bias': (2,),
    'linear0.weight': (150, 262),
    'linear0.bias': (150,),
    'lstm.weight_ih_l0': (600, 150),
    'lstm.weight_hh_l0': (600, 150),
    'lstm.bias_ih_l0': (600,),
    'lstm.bias_hh_l0': (600,),
    'lstm.weight_ih_l1': (600, 150),
    'lstm.weight_hh_l1': (600, 150),
    'lstm.bias_ih_l1': (600,),
    'lstm.bias_hh_l1': (600,),
    'linear.weight': (3, 150),
    'linear.bias': (3,),
}

# What the network was trained on (BeatNet's LOG_SPECT settings, see DESIGN.md).
FEATURES = {
    'sample_rate': 22050, 'hop_size': 441, 'frame_size': 1411, 'fft_size': 1411,
    'window': 'hann', 'filterbank': 'logarithmic', 'bands_per_octave': 24,
    'fmin': 30.0, 'fmax': 17000.0, 'fref': 440.0, 'norm_filters': True,
    'unique_filters': True, 'num_bands': 136, 'log': 'log10(1+x)',
    'diff': 'positive, lag 1', 'feature_size': 272,
}

ATTRIBUTION = ('BeatNet model weights by Mojtaba Heydari, Frank Cwitkowitz and '
               'Zhiyao Duan, "BeatNet: CRNN and particle filtering for online joint '
               'beat downbeat and meter tracking", ISMIR 2021; '
               'https://github.com/mjhydri/BeatNet; licensed CC BY 4.0 '
               '(https://creativecommons.org/licenses/by/4.0/). Converted to '
               'safetensors by Tactus without other changes.')


class ConvertError(Exception):
    pass


_M64 = (1 << 64) - 1
_P1, _P2, _P3, _P4, _P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                           0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & _M64


def _round(acc, lane):
    return (_rotl((acc + lane * _P2) & _M64, 31) * _P1) & _M64


def xxh64(data, seed=0):
    """XXH64 of bytes (the checksum the C++ loader verifies)."""
    n, i = len(data), 0
    if n >= 32:
        v = [(seed + _P1 + _P2) & _M64, (seed + _P2) & _M64, seed, (seed - _P1) & _M64]
        lanes = struct.unpack_from(f'<{(n // 32) * 4}Q', data)
        for k in range(0, len(lanes), 4):
            v = [_round(v[j], lanes[k + j]) for j in range(4)]
        i = (n // 32) * 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & _M64
        for x in v:
            h = ((h ^ _round(0, x)) * _P1 + _P4) & _M64
    else:
        h = (seed + _P5) & _M64
    h = (h + n) & _M64
    while i + 8 <= n:
        h = (_rotl(h ^ _round(0, struct.unpack_from('<Q', data, i)[0]), 27) * _P1 + _P4) & _M64
        i += 8
    if i + 4 <= n:
        h = (_rotl(h ^ ((struct.unpack_from('<I', data, i)[0] * _P1) & _M64), 23) * _P2 + _P3) & _M64
        i += 4
    while i < n:
        h = (_rotl(h ^ ((data[i] * _P5) & _M64), 11) * _P1) & _M64
        i += 1
    h ^= h >> 33
    h = (h * _P2) & _M64
    h ^= h >> 29
    h = (h * _P3) & _M64
    return h ^ (h >> 32)


class _Storage:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class _Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset = storage, offset
        self.size, self.stride = tuple(size), tuple(stride)


def _rebuild_tensor_v2(storage, offset, size, stride, *_ignored):
    return _Tensor(storage, offset, size, stride)


class _FloatStorage:
    pass


class _StateDict(dict):
    # torch pickles state dicts as OrderedDicts with a `_metadata` attribute.
    pass


class _SafeUnpickler(pickle.Unpickler):
    ALLOWED = {
        ('collections', 'OrderedDict'): _StateDict,
        ('torch._utils', '_rebuild_tensor_v2'): _rebuild_tensor_v2,
        ('torch', 'FloatStorage'): _FloatStorage,
    }

    def find_class(self, module, name):
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise ConvertError(f'unexpected object {module}.{name} in the pickle') from None

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == 'storage'):
            raise ConvertError(f'unexpected persistent id {pid!r}')
        if pid[1] is not _FloatStorage:
            raise ConvertError('only float32 storages are expected')
        return _Storage(str(pid[2]), int(pid[4]))


def read_state_dict(path):
    """name -> (shape, list of float) for every tensor in a torch zip file."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        raise ConvertError(f'{path}: not a PyTorch zip file ({e})') from None
    with zf:
        pkl = [n for n in zf.namelist() if n.endswith('/data.pkl')]
        if len(pkl) != 1:
            raise ConvertError(f'{path}: no data.pkl inside')
        root = pkl[0][:-len('data.pkl')]
        try:
            state = _SafeUnpickler(zf.open(pkl[0])).load()
        except ConvertError:
            raise
        except Exception as e:  # noqa: BLE001 - any unpickling failure is a bad file
            raise ConvertError(f'{path}: cannot read the pickle ({e})') from None
        if not isinstance(state, dict):
            raise ConvertError(f'{path}: the pickle is not a state dict')
        storages = {}
        out = {}
        for name, t in state.items():
            if not isinstance(t, _Tensor):
                raise ConvertError(f'{path}: {name} is not a tensor')
            key = t.storage.key
            if key not in storages:
                raw = zf.read(root + 'data/' + key)
                if len(raw) != 4 * t.storage.numel:
                    raise ConvertError(f'{path}: storage {key} has {len(raw)} bytes, '
                                       f'expected {4 * t.storage.numel}')
                storages[key] = struct.unpack(f'<{t.storage.numel}f', raw)
            data = storages[key]
            numel = math.prod(t.size)
            # Gather with the tensor's strides: LSTM weights are views into one
            # flat storage (cuDNN's layout), so offsets matter.
            values = []
            idx = [0] * len(t.size)
            for _ in range(numel):
                flat = t.offset + sum(i * s for i, s in zip(idx, t.stride))
                if flat >= len(data):
                    raise ConvertError(f'{path}: {name} reaches outside its storage')
                values.append(data[flat])
                for d in reversed(range(len(idx))):
                    idx[d] += 1
                    if idx[d] < t.size[d]:
                        break
                    idx[d] = 0
            out[name] = (t.size, values)
        return out


def convert(src, dst, model_id, source_sha256):
    tensors = read_state_dict(src)
    missing = [n for n in EXPECTED if n not in tensors]
    if missing:
        raise ConvertError(f'{src}: missing tensors: {", ".join(missing)}')
    header = {}
    blob = bytearray()
    for name, shape in EXPECTED.items():
        got_shape, values = tensors[name]
        if tuple(got_shape) != shape:
            raise ConvertError(f'{src}: {name} has shape {got_shape}, expected {shape}')
        if not all(math.isfinite(v) for v in values):
            raise ConvertError(f'{src}: {name} holds NaN or Inf')
        start = len(blob)
        blob += struct.pack(f'<{len(values)}f', *values)
        header[name] = {'dtype': 'F32', 'shape': list(shape), 'data_offsets': [start, len(blob)]}
    header['__metadata__'] = {
        'format': 'tactus-beatnet-crnn',
        'format_version': '1',
        'model_id': str(model_id),
        'architecture': 'BDA(272, 150, 2): conv1d(1->2,k=10), relu, maxpool(2), '
                        'linear(262->150), lstm(150, 2 layers), linear(150->3), softmax; '
                        'outputs [beat, downbeat, no-beat]',
        'features': json.dumps(FEATURES, sort_keys=True),
        'source': f'beatnet==1.1.3 (PyPI) BeatNet/models/model_{model_id}_weights.pt',
        'source_sha256': source_sha256 or '',
        'license': 'CC-BY-4.0',
        'attribution': ATTRIBUTION,
        'data_xxh64': f'{xxh64(bytes(blob)):016x}',
    }
    head = json.dumps(header, separators=(',', ':')).encode('utf-8')
    head += b' ' * (-len(head) % 8)  # safetensors pads the header to 8 bytes
    tmp = dst + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(head)))
        f.write(head)
        f.write(blob)
    import os
    os.replace(tmp, dst)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('src')
    ap.add_argument('dst')
    ap.add_argument('--model-id', type=int, required=True, choices=[1, 2, 3])
    ap.add_argument('--source-sha256', default='')
    a = ap.parse_args()
    try:
        convert(a.src, a.dst, a.model_id, a.source_sha256)
    except ConvertError as e:
        print(f'pt_to_safetensors: {e}', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
