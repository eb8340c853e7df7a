"""``fastnn export MODEL.safetensors -o OUT.onnx|OUT.c``: a saved model to ONNX
or plain C (fastnn.export; the format comes from the output's extension).

A bad -o extension, --prefix or --opset is a usage error (exit 2), checked
before the model is read; a model that cannot be read or exported, or a path
that cannot be written, is a one-line error (exit 1), as for the other commands."""
import argparse
import os

import fastnn
from ._cli_args import CLIError, int_at_least
from .export import FORMATS
from .export.c import IDENTIFIER
from .export.onnx import DEFAULT_OPSET, MIN_OPSET


def _output_path(text):
    if os.path.splitext(text)[1].lower() not in FORMATS:
        raise argparse.ArgumentTypeError("cannot tell the format of %r: it must end in .onnx "
                                         "or .c" % text)
    return text


def _prefix(text):
    if not IDENTIFIER.match(text):
        raise argparse.ArgumentTypeError("%r is not a C identifier" % text)
    return text


_opset = int_at_least(MIN_OPSET, "an int >= %d" % MIN_OPSET)


def add_parser(sub):
    p = sub.add_parser("export", help="write a saved model as ONNX (.onnx) or C99 (.c + .h)",
                       description="Write a saved model as ONNX or as plain C99 (OUT.c and "
                                   "OUT.h); the format comes from the extension of -o.")
    p.add_argument("model", metavar="MODEL.safetensors")
    p.add_argument("-o", "--output", required=True, type=_output_path, metavar="OUT.onnx|OUT.c")
    p.add_argument("--prefix", default="fastnn", type=_prefix,
                   help="C: the function is PREFIX_predict, the macros PREFIX_N_INPUTS...")
    p.add_argument("--no-zipmap", action="store_true",
                   help="ONNX classifiers: probabilities as a tensor, not a ZipMap")
    p.add_argument("--opset", type=_opset, help="ONNX opset (default %d)" % DEFAULT_OPSET)
    p.set_defaults(func=cmd_export)
    return p


def cmd_export(args):
    c = os.path.splitext(args.output)[1].lower() == ".c"
    outputs = [args.output] + ([os.path.splitext(args.output)[0] + ".h"] if c else [])
    if os.path.realpath(args.model) in {os.path.realpath(p) for p in outputs}:
        raise CLIError("-o %s would overwrite the model %s" % (args.output, args.model))
    unused = [flag for flag, given in (("--prefix", args.prefix != "fastnn" and not c),
                                       ("--no-zipmap", args.no_zipmap and c),
                                       ("--opset", args.opset is not None and c)) if given]
    if unused:  # a flag of the other format: the user meant something else
        raise CLIError("%s %s no effect on %s output" % (
            " and ".join(unused), "has" if len(unused) == 1 else "have", "C" if c else "ONNX"))
    model = fastnn.load(args.model)
    written = fastnn.export(model, args.output, prefix=args.prefix,
                            zipmap=not args.no_zipmap, opset=args.opset)
    for path in ([written] if isinstance(written, str) else written):
        print("wrote %s" % path)
    return 0
