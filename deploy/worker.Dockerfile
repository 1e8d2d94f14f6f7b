# deploy/worker.Dockerfile — the altscribe worker image that Bacalhau jobs run (docs/bacalhau.md).
#
#   docker build -f deploy/worker.Dockerfile -t "$IMAGE" .                  # CPU
#   docker build -f deploy/worker.Dockerfile --build-arg ALTSCRIBE_CUDA=1 -t "$IMAGE" .
#   docker push "$IMAGE"     # then: altscribe bot --executor bacalhau --bacalhau-image "$IMAGE" …
#
# The image name is yours to choose at build time (-t, and IMAGE_NAME for the label below); the
# executor's default is ghcr.io/altscribe/worker:latest. Prefer pinning by digest in
# --bacalhau-image (…@sha256:…) so every compute node runs the same bytes.
#
# Built with scripts/setup, like every other build of altscribe; a single stage because the
# binary's RPATH points at the llama.cpp prefix in ALTSCRIBE_CACHE. GGML_NATIVE is on in setup:
# build on (or for) the CPU family your compute nodes have. The image holds no credentials and
# needs none: Bacalhau mounts the job at /inputs/job.json and publishes /outputs.
ARG BASE_IMAGE=debian:12
FROM ${BASE_IMAGE}

ARG IMAGE_NAME=ghcr.io/altscribe/worker:latest
ARG ALTSCRIBE_CUDA=0
LABEL org.opencontainers.image.title="altscribe worker" \
      org.opencontainers.image.ref.name="${IMAGE_NAME}" \
      org.opencontainers.image.description="altscribe worker --job /inputs/job.json --out /outputs/result.json"

ENV DEBIAN_FRONTEND=noninteractive \
    ALTSCRIBE_CACHE=/opt/altscribe/cache \
    BUILD_DIR=/opt/altscribe/build \
    ALTSCRIBE_TARGETS=altscribe \
    ALTSCRIBE_CUDA=${ALTSCRIBE_CUDA}

# npm fetches llama.cpp (scripts/setup); CUDA builds need the toolkit from Debian non-free.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends ca-certificates sudo npm && \
    if [ "$ALTSCRIBE_CUDA" = 1 ]; then \
      sed -i 's/^Components: main$/Components: main contrib non-free non-free-firmware/' \
        /etc/apt/sources.list.d/debian.sources && apt-get update -q && \
      apt-get install -y -q --no-install-recommends nvidia-cuda-toolkit; \
    fi && rm -rf /var/lib/apt/lists/*

WORKDIR /src/altscribe
COPY . .
RUN scripts/setup && \
    install -m 0755 "$BUILD_DIR/altscribe" /usr/local/bin/altscribe && \
    rm -rf /var/lib/apt/lists/* /root/.npm

# The job comes in at /inputs, the result goes out through /outputs (Bacalhau's ResultPaths).
RUN mkdir -p /inputs /outputs
WORKDIR /
ENTRYPOINT ["altscribe"]
CMD ["worker", "--job", "/inputs/job.json", "--out", "/outputs/result.json"]
