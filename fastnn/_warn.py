"""Warnings attributed to the user's line: the stack level of the first frame
outside the fastnn package, however deep inside it the warning is raised
(a fixed stacklevel points into fastnn whenever the call path changes)."""
import os
import sys
import warnings

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message, category=UserWarning):
    """warnings.warn(message, category) at the caller of fastnn."""
    level, frame = 2, sys._getframe(1)  # 2: the caller of this function
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
