"""Unsafe deserialization: pickle-family loaders and yaml.load without a safe loader.

Loading a pickle runs arbitrary code, so the finding does not depend on where the bytes came
from, except when they are a constant or were verified (an HMAC guard naming them) first.
"""

from __future__ import annotations

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.calls import argument, is_constant, keyword
from graderlib.detectors.dataflow import Level, classify
from graderlib.detectors.walk import Context
from graderlib.taxonomy import Severity

_PICKLE_LOADERS = frozenset(
    {
        "pickle.loads",
        "pickle.load",
        "pickle.Unpickler",
        "cPickle.loads",
        "cPickle.load",
        "_pickle.loads",
        "_pickle.load",
        "dill.loads",
        "dill.load",
        "marshal.loads",
        "marshal.load",
        "shelve.open",
        "jsonpickle.decode",
        "pandas.read_pickle",
        "joblib.load",
        "cloudpickle.loads",
        "cloudpickle.load",
    }
)


class PickleLoad(Detector):
    """pickle, marshal, shelve, dill, ``torch.load`` or pickled ``numpy.load`` reads data.

    Unpickling runs code chosen by whoever wrote the bytes, so any load of data that is not
    a constant is flagged, wherever it came from; an HMAC guard naming the data first and
    ``torch.load(weights_only=True)`` are the accepted ways out.
    """

    id = "GL201"
    category = "unsafe-deserialization"
    cwe = 502
    severity = Severity.CRITICAL
    message = "pickle/marshal/shelve deserialises data that can run code; use JSON"
    VALID = (
        "import json\ndef load(blob):\n    return json.loads(blob)\n",
        "import pickle\nEMPTY = pickle.loads(b'\\x80\\x04N.')\n",
    )
    INVALID = (
        Invalid("import pickle\ndef load(blob):\n    return pickle.loads(blob)\n", line=3),
        Invalid("import shelve\ndef open_db(name):\n    return shelve.open(name)\n", line=3),
        Invalid("import torch\ndef load(path):\n    return torch.load(path)\n", line=3),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        if callee == "torch.load":
            weights_only = keyword(node, "weights_only")
            if weights_only is not None and is_constant(weights_only.value, "True"):
                return
        elif callee == "numpy.load":
            allow = keyword(node, "allow_pickle")
            if allow is None or not is_constant(allow.value, "True"):
                return
        elif callee not in _PICKLE_LOADERS:
            return
        data = argument(node, 0, "data", "file", "filename", "f", "string")
        unsafe = data is None or classify(data, ctx) is not Level.SAFE
        ctx.judge(self, node, unsafe, "the loaded data is a constant or was verified", data)


_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})


class YamlLoad(Detector):
    """``yaml.load`` without a safe Loader, or ``yaml.unsafe_load``.

    PyYAML's full and unsafe loaders build arbitrary Python objects from tags such as
    ``!!python/object/apply``. ``yaml.safe_load`` or ``Loader=SafeLoader``/``BaseLoader``
    build plain data only; a Loader passed through ``**kwargs`` is not judged.
    """

    id = "GL202"
    category = "unsafe-deserialization"
    cwe = 502
    severity = Severity.HIGH
    message = "yaml.load without a safe Loader can construct arbitrary objects; use safe_load"
    VALID = (
        "import yaml\ndef read(text):\n    return yaml.safe_load(text)\n",
        "import yaml\ndef read(text):\n    return yaml.load(text, Loader=yaml.SafeLoader)\n",
    )
    INVALID = (
        Invalid("import yaml\ndef read(text):\n    return yaml.load(text)\n", line=3),
        Invalid(
            "import yaml\ndef read(text):\n    return yaml.load(text, Loader=yaml.Loader)\n", line=3
        ),
        Invalid("import yaml\ndef read(text):\n    return yaml.unsafe_load(text)\n", line=3),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        if callee in {"yaml.unsafe_load", "yaml.unsafe_load_all"}:
            self.report(ctx, node)
            return
        if callee not in {"yaml.load", "yaml.load_all"}:
            return
        loader = argument(node, 1, "Loader")
        if loader is None and any(a.star == "**" for a in node.args):
            return
        name = ctx.qualname(loader) if loader is not None else None
        unsafe = name is None or name.rsplit(".", 1)[-1] not in _SAFE_LOADERS
        ctx.judge(self, node, unsafe, "yaml.load with a safe Loader")
