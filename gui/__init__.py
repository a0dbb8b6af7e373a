"""The Qt window over core/.

OpenBLAS's idle worker threads spin for about 0.1 s (2^28 cycles) after each call before they
sleep. In a frame that spin holds the second core through the statistics after the last matmul,
and through the UI thread's paint (measured, 2 BLAS threads on 2 cores: the statistics shared with
a helper thread took 16.6 ms with the spin, 10.7 ms without). So the workers sleep at once; set
here, before anything loads numpy, and a value the user gave wins.
"""

import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
