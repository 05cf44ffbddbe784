# syntax=docker/dockerfile:1
# solprof agent as a container: the sidecar that exports how far LLM decode runs from its speed of light on :9464.
#
#   docker build -t solprof .
#   docker run --rm -p 9464:9464 --read-only --tmpfs /tmp solprof            # the demo (simulated vLLM + 8 H100s)
#   docker run --rm -p 9464:9464 --read-only --tmpfs /tmp solprof \
#       --serving-url http://vllm:8000/metrics --gpu-backend dcgm-exporter \
#       --dcgm-exporter-url http://dcgm-exporter:9400/metrics --model llama-3.1-70b --tp 8 --urls http://0.0.0.0:9464
#
# Arguments after the image name replace CMD (the demo) and go to `solprof agent`.

ARG DOTNET_VERSION=10.0

# ---------------------------------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cmake gcc libc6-dev make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Restore first, from the project files alone, so that a source change does not re-download packages.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
# The lock files pin every package, transitive ones too, by version and hash; restore refuses any drift.
COPY src/SolProfiler.Sol/SolProfiler.Sol.csproj src/SolProfiler.Sol/packages.lock.json src/SolProfiler.Sol/
COPY src/SolProfiler.Telemetry/SolProfiler.Telemetry.csproj src/SolProfiler.Telemetry/packages.lock.json src/SolProfiler.Telemetry/
COPY src/SolProfiler.Analysis/SolProfiler.Analysis.csproj src/SolProfiler.Analysis/packages.lock.json src/SolProfiler.Analysis/
COPY src/SolProfiler.Agent/SolProfiler.Agent.csproj src/SolProfiler.Agent/packages.lock.json src/SolProfiler.Agent/
COPY src/SolProfiler.Demo/SolProfiler.Demo.csproj src/SolProfiler.Demo/packages.lock.json src/SolProfiler.Demo/
COPY src/SolProfiler.Cli/SolProfiler.Cli.csproj src/SolProfiler.Cli/packages.lock.json src/SolProfiler.Cli/
COPY native/native.targets native/
RUN dotnet restore src/SolProfiler.Cli/SolProfiler.Cli.csproj --locked-mode

# The native NVML/DCGM stand-ins (C11). Only the NVML one goes into the image, and only the demo (and
# --gpu-backend sim) loads it.
COPY native/ native/
RUN cmake -S native -B native/build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build native/build --parallel

COPY src/ src/
RUN dotnet publish src/SolProfiler.Cli/SolProfiler.Cli.csproj -c Release --no-restore -o /app \
 && mkdir -p /app/native/build/nvml \
 && cp native/build/nvml/libnvidia-ml.so.1 /app/native/build/nvml/libnvidia-ml.so.1

# ---------------------------------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime

# The health check needs an HTTP client and the aspnet image ships neither curl nor wget: install curl alone
# (no recommends) and drop the package lists. bash's /dev/tcp would avoid the package but cannot check the status
# code reliably.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*

# Where the stand-in lies: /app/native/build/nvml/libnvidia-ml.so.1 is the repository-relative path the demo looks
# for above the binary's folder (NvmlStandInControl.FindBuilt(AppContext.BaseDirectory)), so `--demo` finds it with
# no setting. SOLPROF_NVML_LIBRARY is deliberately NOT set here: the real NVML backend (--gpu-backend nvml/auto) also
# honours that variable, and must load the driver's libnvidia-ml.so.1 that the NVIDIA Container Toolkit injects, never
# the stand-in. The stand-in is not on any library search path.
COPY --from=build /app /app

# Runtime settings for a sidecar: workstation GC (a few-MB heap; server GC would reserve a heap per core). No
# DOTNET_TieredCompilation=0: it slows start-up; see the README's Overhead section. Globalization is invariant
# (Directory.Build.props), so no ICU is needed.
# ASPNETCORE_HTTP_PORTS (8080 in the base image) is cleared: the agent binds what --urls says (9464) and would
# otherwise log that it overrides it.
ENV DOTNET_gcServer=0 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    ASPNETCORE_HTTP_PORTS=

# Non-root: the official .NET images provide the user `app`, uid/gid 1654 in $APP_UID (64198 was a .NET 8 preview
# value). USER takes the number so that Kubernetes' runAsNonRoot can verify it. The root filesystem may be
# read-only (docker run --read-only / compose read_only: true / Kubernetes readOnlyRootFilesystem): the agent writes
# nothing unless --record is given (mount a volume for it); give /tmp a tmpfs for the runtime's diagnostics socket.
USER $APP_UID
WORKDIR /app

EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:9464/healthz"]

ENTRYPOINT ["/app/solprof", "agent"]
# The demo, listening on every interface of the container (the port mapping decides who reaches it).
CMD ["--demo", "--urls", "http://0.0.0.0:9464"]
