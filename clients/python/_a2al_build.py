"""PEP 517 build backend: setuptools, with its build/ and *.egg-info directories kept in a
temporary directory, so `pip install ./clients/python` leaves the checkout as it was.
setuptools reads the extra configuration file named by DIST_EXTRA_CONFIG."""
import atexit
import os
import shutil
import tempfile

_tmp = tempfile.mkdtemp(prefix="a2al-client-build-")
atexit.register(shutil.rmtree, _tmp, True)
_cfg = os.path.join(_tmp, "build.cfg")
os.makedirs(os.path.join(_tmp, "egg"))
with open(_cfg, "w", encoding="utf-8") as f:
    f.write("[build]\nbuild_base = %s\n[egg_info]\negg_base = %s\n"
            % (os.path.join(_tmp, "build"), os.path.join(_tmp, "egg")))
os.environ["DIST_EXTRA_CONFIG"] = _cfg

from setuptools.build_meta import *  # noqa: E402,F401,F403
