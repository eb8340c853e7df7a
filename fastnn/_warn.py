"""Warnings attributed to the user's line: the stack level of the first frame
outside the fastnn package, however deep inside it the warning is raised
(a fixed stacklevel points into fastnn whenever the call path changes)."""
import os
import sys
import warnings

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _inside(frame):
    name = frame.f_code.co_filename
    # "<string>", "<stdin>": code of the user's, wherever the working directory is
    return not name.startswith("<") and os.path.abspath(name).startswith(_PACKAGE)


def warn(message, category=UserWarning):
    """warnings.warn(message, category) at the caller of fastnn (at fastnn's
    own caller of this function when nothing outside fastnn called it)."""
    level, frame = 2, sys._getframe(1)  # 2: the caller of this function
    while frame is not None and _inside(frame):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level if frame is not None else 2)
