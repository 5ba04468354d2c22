"""Run a program on another AnyIO backend: python run_on_backend.py BACKEND PROGRAM.

Every `anyio.run()` call that names no backend runs on BACKEND (AnyIO 2.2 and 3.x default to
asyncio); calls that name one keep it. Used by the fixture tests to run programs on trio too.
"""
import os
import runpy
import sys

import anyio

backend, program = sys.argv[1], sys.argv[2]
_run = anyio.run


def run(func, *args, backend=backend, **kwargs):
    return _run(func, *args, backend=backend, **kwargs)


anyio.run = run
sys.argv = [program]
sys.path[0] = os.path.dirname(os.path.abspath(program))
runpy.run_path(program, run_name='__main__')
