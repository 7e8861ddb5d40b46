# syntax=docker/dockerfile:1
# lambdagate container image: a multi-stage build on Debian 12.
# The build stage runs the same scripts CI runs (scripts/install-deps.sh via scripts/build.sh),
# so what ships is built exactly as it is tested.

FROM debian:12 AS build
WORKDIR /src
COPY . .
ENV LAMBDAGATE_BUILD_DIR=/src/build LAMBDAGATE_BUILD_TYPE=Release LAMBDAGATE_BUILD_TESTS=OFF
RUN bash scripts/build.sh && strip build/lambdagate

FROM debian:12-slim AS runtime
# Only the shared libraries the binary links against (tests/integration/test_dockerfile.sh
# checks this list against ldd), plus the CA bundle for TLS to AWS. OpenSSL, yaml-cpp, RE2,
# pugixml, spdlog, fmt and libstdc++ are linked in (CMakeLists.txt, LAMBDAGATE_STATIC_DEPS);
# OpenSSL still reads /usr/lib/ssl/openssl.cnf, which ca-certificates brings (package openssl).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates libmimalloc2.0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin lambdagate
COPY --from=build /src/build/lambdagate /usr/local/bin/lambdagate
COPY config/ /etc/lambdagate/
USER 10001:10001
EXPOSE 8080 19000
# Nothing is written to the root filesystem: it runs with readOnlyRootFilesystem.
ENTRYPOINT ["/usr/local/bin/lambdagate"]
CMD ["--config", "/etc/lambdagate", "--listen", "0.0.0.0:8080", "--admin", "0.0.0.0:19000", "--log-format", "json"]
