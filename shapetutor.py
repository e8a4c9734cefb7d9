"""`import shapetutor` is `import tutor`: the distribution's name, for those who try it first.

The import package is `tutor` (docs/python.md); this module makes the other spelling the very
same module, so `shapetutor.check is tutor.check`.
"""
import sys

import tutor

sys.modules[__name__] = tutor
