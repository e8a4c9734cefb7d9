# The bundled lessons (*.toml). This file only lets them install inside the shapetutor package.
