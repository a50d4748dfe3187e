"""Settings for every test, the notebook's re-execution by nbval included.

The kernel that nbval starts inherits this process's environment, so the notebook runs in smoke mode
and, on machines without internet, finds the local VGG16 weights described in ../shared/models/README.md.
"""

import os
from pathlib import Path

LOCAL_WEIGHTS = Path(__file__).resolve().parent.parent / "shared" / "models" / "vgg16_hed_bsds500_notop.weights.h5"

os.environ.setdefault("SMOKE_TEST", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
if "VGG16_WEIGHTS" not in os.environ and LOCAL_WEIGHTS.is_file():
    os.environ["VGG16_WEIGHTS"] = str(LOCAL_WEIGHTS)
