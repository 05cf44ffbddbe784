# syntax=docker/dockerfile:1
# solprof agent as a container: the sidecar that exports how far LLM decode runs from its speed of light on :9464.
#
#   docker build -t solprof .
#   docker run --rm -p 9464:9464 --read-only solprof            # the demo (simulated vLLM + 8 H100s)
#   docker run --rm -p 9464:9464 --read-only solprof \
#       --serving-url http://vllm:8000/metrics --gpu-backend dcgm-exporter \
#       --dcgm-exporter-url http://dcgm-exporter:9400/metrics --model llama-3.1-70b --tp 8 --urls http://0.0.0.0:9464
#
# Arguments after the image name replace CMD (the demo) and go to `solprof agent`.
#
# The image is the Native AOT executable (README "Container image"): one 22 MiB binary that needs no .NET runtime, on
# the chiseled runtime-deps base (about 13 MB: the C library, OpenSSL, CA certificates, no shell, no package manager).
# Both stages are Ubuntu 24.04 (noble), so the binary links against the C library it runs with. CI runs the build
# stage's commands outside Docker (.ci/run: the same apt packages, then .ci/publish-aot; .ci/check-dockerfile checks
# that this stage still is those commands), as it has no engine.

ARG DOTNET_VERSION=10.0

# ---------------------------------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble AS build
# The Native AOT linker and the native stand-ins: gcc, the C library's headers and objects, binutils' objcopy (the
# symbols are split off), zlib, cmake and make.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cmake gcc make libc6-dev binutils zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 CI=true

# Restore first, from the project files alone, so that a source change does not re-download packages. For linux-x64,
# as the publish restores: that brings the ILCompiler packages too.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
# The lock files pin every package, transitive ones too, by version and hash; restore refuses any drift.
COPY src/Directory.Build.props src/
COPY src/SolProfiler.Sol/SolProfiler.Sol.csproj src/SolProfiler.Sol/packages.lock.json src/SolProfiler.Sol/
COPY src/SolProfiler.Telemetry/SolProfiler.Telemetry.csproj src/SolProfiler.Telemetry/packages.lock.json src/SolProfiler.Telemetry/
COPY src/SolProfiler.Analysis/SolProfiler.Analysis.csproj src/SolProfiler.Analysis/packages.lock.json src/SolProfiler.Analysis/
COPY src/SolProfiler.Agent/SolProfiler.Agent.csproj src/SolProfiler.Agent/packages.lock.json src/SolProfiler.Agent/
COPY src/SolProfiler.Demo/SolProfiler.Demo.csproj src/SolProfiler.Demo/packages.lock.json src/SolProfiler.Demo/
COPY src/SolProfiler.Cli/SolProfiler.Cli.csproj src/SolProfiler.Cli/packages.lock.json src/SolProfiler.Cli/
COPY native/native.targets native/
RUN dotnet restore src/SolProfiler.Cli/SolProfiler.Cli.csproj -r linux-x64 --locked-mode

# The one way the executable is published (CI, tests/perf and tests/device use the same script): the stand-ins, the
# AOT publish (trim and AOT warnings are errors), and a check that it links nothing beyond the C library.
COPY native/ native/
COPY .ci/publish-aot .ci/
COPY src/ src/
RUN .ci/publish-aot /app

# ---------------------------------------------------------------------------------------------------------------------
# Chiseled: only what a native .NET program loads at run time, as root-owned read-only files; the user `app`
# (uid/gid 1654) is the default user of the image.
FROM mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_VERSION}-noble-chiseled AS runtime

# /app holds the executable, the chart libraries (loaded only by `report --png` and `sol --pareto`) and the NVML
# stand-in at native/build/nvml/libnvidia-ml.so.1, the repository-relative path the demo looks for above the
# executable, on no library search path. SOLPROF_NVML_LIBRARY is deliberately NOT set here: the real NVML backend
# (--gpu-backend nvml/auto) also honours it, and must load the driver's libnvidia-ml.so.1 that the NVIDIA Container
# Toolkit injects, never the stand-in.
COPY --from=build /app /app

# The runtime's settings are compiled into the executable (workstation, non-concurrent GC with a 4 MiB gen0 budget,
# invariant globalization): nothing to set here.
#
# Non-root by number, so that Kubernetes' runAsNonRoot can verify it. The root filesystem may be read-only
# (docker run --read-only / compose read_only: true / Kubernetes readOnlyRootFilesystem): the agent writes nothing
# unless --record is given (mount a volume for it).
USER 1654:1654
WORKDIR /app

EXPOSE 9464
# No shell or curl in the image: the agent's own executable asks it (solprof health: exit 0 on a 2xx /healthz).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/app/solprof", "health", "--quiet", "http://127.0.0.1:9464/healthz"]

ENTRYPOINT ["/app/solprof", "agent"]
# The demo, listening on every interface of the container (the port mapping decides who reaches it).
CMD ["--demo", "--urls", "http://0.0.0.0:9464"]
