# avance with Tesseract 5 and its Spanish model inside.
#
#   docker build -t avance .
#   docker run --rm avance extract /opt/avance/samples --out /tmp/out          # the bundled samples
#   docker run --rm -v "$PWD:/work" avance extract /work/REPORTS --out /work/OUT
#   docker run --rm -v "$PWD:/work" avance review /work/OUT --html /work/review.html
#
# The image runs `avance` as an unprivileged user; mount the folders it reads and writes.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Tesseract 5 with Spanish (what scans are read with). Debian's versions follow the
# release; pinning them would break the build at each point release.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-spa \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/avance/src
COPY pyproject.toml README.md ./
COPY avance ./avance

# tesserocr compiles against libtesseract; the compiler and headers leave with the same layer.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ pkg-config libtesseract-dev libleptonica-dev \
 && pip install --no-cache-dir . \
 && apt-get purge -y --auto-remove g++ pkg-config libtesseract-dev libleptonica-dev \
 && rm -rf /var/lib/apt/lists/* \
 && tesseract --list-langs | grep -qx spa \
 && avance --version

COPY data/raw /opt/avance/samples

RUN useradd --create-home --uid 1000 avance
USER 1000:1000
WORKDIR /work

ENTRYPOINT ["avance"]
CMD ["--help"]
